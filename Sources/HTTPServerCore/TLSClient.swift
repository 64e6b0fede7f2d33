import COpenSSL
import Glibc

/// A blocking TLS client over a connected socket, for `lstm-serve healthcheck` and the tests: TLS 1.2 or 1.3, offering
/// ALPN `http/1.1`. The socket's own timeouts (`SO_RCVTIMEO`, `SO_SNDTIMEO`) bound each call.
///
/// Threading: one thread at a time. It does not close the descriptor.
package final class TLSClient {
    /// How the server's certificate is checked.
    package enum Verification: Sendable {
        /// The chain must end in a certificate of the PEM file at `path` (each one is a trust anchor, so the server's own
        /// certificate file works); its names are not checked.
        case anchors(path: String)
        /// As ``anchors(path:)``, and the certificate must name `host` (a DNS name, or an IP address in its SAN).
        case anchorsAndHost(path: String, host: String)
        /// Nothing is checked (tests of what a careless client sees).
        case none
    }

    /// The highest protocol version the client offers.
    package enum MaximumVersion: Sendable {
        case tls1_2, tls1_3
    }

    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// Performs the handshake on `descriptor`; throws ``TLSError`` saying why it failed (verification included).
    package init(
        descriptor: Int32, verification: Verification, serverName: String? = nil, maximumVersion: MaximumVersion = .tls1_3
    ) throws(TLSError) {
        ignoreBrokenPipes()
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw .setupFailed(reason: TLSError.openSSLReasons()) }
        guard lstm_tls_configure_client(context) == 1,
            lstm_tls_set_max_version(context, maximumVersion == .tls1_2 ? TLS1_2_VERSION : TLS1_3_VERSION) == 1
        else {
            let reason = TLSError.openSSLReasons()
            SSL_CTX_free(context)
            throw .setupFailed(reason: reason)
        }
        switch verification {
        case .anchors(let path), .anchorsAndHost(let path, _):
            do {
                try TLSContext.checkReadable(path, role: "certificate")
            } catch {
                SSL_CTX_free(context)
                throw error
            }
            guard SSL_CTX_load_verify_locations(context, path, nil) == 1 else {
                let reason = TLSError.openSSLReasons()
                SSL_CTX_free(context)
                throw .invalidCertificate(path: path, reason: reason)
            }
            X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(context), UInt(X509_V_FLAG_PARTIAL_CHAIN))
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        case .none:
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
        guard let ssl = SSL_new(context) else {
            let reason = TLSError.openSSLReasons()
            SSL_CTX_free(context)
            throw .setupFailed(reason: reason)
        }
        self.context = context
        self.ssl = ssl
        if case .anchorsAndHost(_, let host) = verification {
            var address = in6_addr()
            let isAddress = inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
            let set = isAddress ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) : SSL_set1_host(ssl, host)
            guard set == 1 else { throw .setupFailed(reason: "cannot check host \(host): \(TLSError.openSSLReasons())") }
        }
        if let serverName { _ = lstm_tls_set_host_name(ssl, serverName) }
        guard SSL_set_fd(ssl, descriptor) == 1 else { throw .setupFailed(reason: TLSError.openSSLReasons()) }
        let result = SSL_connect(ssl)
        guard result == 1 else {
            let verified = SSL_get_verify_result(ssl)
            if verified != X509_V_OK {
                ERR_clear_error()
                throw .connectionFailed(reason: "certificate not accepted: \(String(cString: X509_verify_cert_error_string(verified)))")
            }
            throw .connectionFailed(reason: failure(result))
        }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// Sends all of `bytes`.
    package func write(_ bytes: [UInt8]) throws(TLSError) {
        var sent = 0
        while sent < bytes.count {
            ERR_clear_error()
            let count = bytes[sent...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(clamping: $0.count)) }
            guard count > 0 else { throw .connectionFailed(reason: failure(count)) }
            sent += Int(count)
        }
    }

    /// Up to `limit` decrypted bytes; empty at the end of the stream (close_notify or the connection's end).
    package func read(limit: Int = 16_384) throws(TLSError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        ERR_clear_error()
        let count = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32(clamping: $0.count)) }
        if count > 0 { return Array(buffer.prefix(Int(count))) }
        let code = SSL_get_error(ssl, count)
        if code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && errno == 0) {
            ERR_clear_error()
            return []
        }
        if code == SSL_ERROR_SSL, ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING {
            ERR_clear_error()
            return []
        }
        throw .connectionFailed(reason: failure(count))
    }

    /// The protocol ALPN chose, or `nil` if the server chose none.
    package var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The protocol version, e.g. `TLSv1.3`.
    package var version: String { String(cString: SSL_get_version(ssl)) }

    /// The certificate the server presented.
    package var peerCertificate: TLSCertificateSummary? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        return TLSCertificateSummary(certificate)
    }

    /// Why the last call failed, with the system error for a timeout or reset; the error queue is emptied.
    private func failure(_ result: Int32) -> String {
        let systemError = errno
        let code = SSL_get_error(ssl, result)
        let queued = TLSError.openSSLReasons()
        if queued != "unknown" { return queued }
        if code == SSL_ERROR_SYSCALL {
            if systemError == EAGAIN || systemError == EWOULDBLOCK { return "timed out" }
            return systemError == 0 ? "connection closed" : String(cString: strerror(systemError))
        }
        return "SSL error \(code)"
    }
}
