#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>

// Functions for what OpenSSL declares as macros, which Swift cannot call, and the ALPN callback, which is simpler in C.

/// The server's TLS policy on a new context: TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE key exchange with AEAD
/// ciphers (TLS 1.3's suites are all AEAD); no renegotiation, no compression; the server's cipher order; partial
/// writes and a write buffer that may move between retries (the connection's buffer is a Swift array).
/// Returns 1 on success, 0 on failure (the reason is on OpenSSL's error queue).
static inline int lstm_tls_configure_server(SSL_CTX *context) {
    if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) return 0;
    if (SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) != 1) return 0;
    if (SSL_CTX_set_cipher_list(context,
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1) return 0;
    if (SSL_CTX_set_ciphersuites(context,
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") != 1) return 0;
    if (SSL_CTX_set1_groups_list(context, "X25519:P-256:P-384") != 1) return 0;
    // A client that closes without close_notify reads as end-of-file: HTTP/1.1 frames its own messages, and most
    // clients (curl, wrk, browsers) close that way.
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE
                                     | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    return 1;
}

/// ALPN (RFC 7301): picks `http/1.1` when the client offers it. A client that offers only other protocols (h2) gets
/// no ALPN answer rather than an alert, and may still speak HTTP/1.1.
static int lstm_tls_select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                                unsigned int inlen, void *arg) {
    (void)ssl;
    (void)arg;
    static const unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char *selected = NULL;
    unsigned char length = 0;
    if (SSL_select_next_proto(&selected, &length, http11, sizeof(http11), in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    *outlen = length;
    return SSL_TLSEXT_ERR_OK;
}

/// Installs ``lstm_tls_select_alpn`` on a server context.
static inline void lstm_tls_enable_alpn(SSL_CTX *context) {
    SSL_CTX_set_alpn_select_cb(context, lstm_tls_select_alpn, NULL);
}

/// A client's policy (the health check and tests): TLS 1.2 or 1.3, offering ALPN `http/1.1`, partial writes off.
static inline int lstm_tls_configure_client(SSL_CTX *context) {
    static const unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) return 0;
    if (SSL_CTX_set_alpn_protos(context, http11, sizeof(http11)) != 0) return 0;
    return 1;
}

/// Caps a context's protocol version (tests: a TLS 1.2-only client).
static inline int lstm_tls_set_max_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_max_proto_version(context, version);
}

/// Sets the SNI host name a client sends.
static inline int lstm_tls_set_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
