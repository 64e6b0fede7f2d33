import COpenSSL
import Glibc
import Locking

/// The server's TLS: a certificate chain and key read from PEM files, with the server's policy (TLS 1.2 and 1.3,
/// ECDHE with AEAD ciphers for 1.2, ALPN `http/1.1`), as the `SSL_CTX` that new connections' handshakes use.
///
/// ``reload()`` reads the files again and, if they are good, makes new handshakes use them; connections already
/// open keep the context they started with (each `SSL` holds a reference to its `SSL_CTX`), so nothing is dropped.
/// Files that fail to load leave the current context in place.
///
/// Threading: every method may be called from any thread; the current context is swapped under a lock.
package final class TLSCredentials: Sendable {
    /// The PEM file of the certificate, followed by any intermediates (a chain).
    package let certificatePath: String
    /// The PEM file of the certificate's private key (unencrypted).
    package let keyPath: String
    private let current: Lock<TLSContext>

    /// Loads and checks the files; throws ``TLSError`` naming the file and the reason if either is missing,
    /// unreadable or not PEM, or the key is not the certificate's.
    package init(certificatePath: String, keyPath: String) throws(TLSError) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        current = Lock(try TLSContext(certificatePath: certificatePath, keyPath: keyPath))
    }

    /// The certificate new handshakes present.
    package var certificate: TLSCertificateSummary { current.withLock { $0.certificate } }

    /// Reads the files again; if they load, new handshakes use them and this returns the new certificate. If they do
    /// not, throws and the previous certificate stays in use.
    @discardableResult
    package func reload() throws(TLSError) -> TLSCertificateSummary {
        let context = try TLSContext(certificatePath: certificatePath, keyPath: keyPath)
        current.withLock { $0 = context }
        return context.certificate
    }

    /// A server-side session for an accepted socket, using the current context; `nil` if OpenSSL cannot allocate one.
    func makeSession(for socket: Socket) -> TLSSession? {
        let context = current.withLock { $0 }
        return TLSSession(context: context, descriptor: socket.fileDescriptor)
    }
}

/// Sets SIGPIPE to be ignored, for the whole process, once. OpenSSL writes to its sockets with `write(2)`, which
/// (unlike the plain path's `send` with `MSG_NOSIGNAL`) raises SIGPIPE on a connection the peer has reset, and that
/// signal's default action ends the process: one client closing at the wrong moment would stop the server.
func ignoreBrokenPipes() {
    _ = brokenPipesIgnored
}

private let brokenPipesIgnored: Void = {
    _ = signal(SIGPIPE, SIG_IGN)
}()

/// One loaded certificate chain and key under the server's policy: an `SSL_CTX`, not changed once made.
final class TLSContext: @unchecked Sendable {  // the SSL_CTX is configured in init and only read afterwards
    let pointer: OpaquePointer
    let certificate: TLSCertificateSummary

    init(certificatePath: String, keyPath: String) throws(TLSError) {
        ignoreBrokenPipes()
        ERR_clear_error()
        try Self.checkReadable(certificatePath, role: "certificate")
        try Self.checkReadable(keyPath, role: "key")
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw .setupFailed(reason: TLSError.openSSLReasons()) }
        guard lstm_tls_configure_server(context) == 1 else {
            let reason = TLSError.openSSLReasons()
            SSL_CTX_free(context)
            throw .setupFailed(reason: reason)
        }
        lstm_tls_enable_alpn(context)
        guard SSL_CTX_use_certificate_chain_file(context, certificatePath) == 1, let leaf = SSL_CTX_get0_certificate(context) else {
            let reason = TLSError.openSSLReasons()
            SSL_CTX_free(context)
            throw .invalidCertificate(path: certificatePath, reason: reason)
        }
        // The key is read on its own first, so that a file that is not a key and a key of another certificate
        // are told apart.
        guard let key = Self.readPrivateKey(keyPath) else {
            let reason = TLSError.openSSLReasons()
            SSL_CTX_free(context)
            throw .invalidKey(path: keyPath, reason: reason)
        }
        defer { EVP_PKEY_free(key) }
        guard X509_check_private_key(leaf, key) == 1 else {
            ERR_clear_error()
            SSL_CTX_free(context)
            throw .keyMismatch(keyPath: keyPath, certificatePath: certificatePath)
        }
        guard SSL_CTX_use_PrivateKey(context, key) == 1, SSL_CTX_check_private_key(context) == 1 else {
            let reason = TLSError.openSSLReasons()
            SSL_CTX_free(context)
            throw .invalidKey(path: keyPath, reason: reason)
        }
        pointer = context
        certificate = TLSCertificateSummary(leaf)
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    /// Throws ``TLSError/fileMissing(role:path:)`` or ``TLSError/fileUnreadable(role:path:reason:)`` unless `path`
    /// is a regular file this process can open for reading.
    static func checkReadable(_ path: String, role: String) throws(TLSError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .fileMissing(role: role, path: path) }
            throw .fileUnreadable(role: role, path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .fileUnreadable(role: role, path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .fileUnreadable(role: role, path: path, reason: "not a regular file") }
    }

    /// The first private key in a PEM file, or `nil` (the reason on OpenSSL's error queue). An encrypted key fails:
    /// no passphrase callback is given, and the default one would prompt on the terminal.
    private static func readPrivateKey(_ path: String) -> OpaquePointer? {
        guard let file = BIO_new_file(path, "r") else { return nil }
        defer { BIO_free(file) }
        return PEM_read_bio_PrivateKey(file, nil, { _, _, _, _ in -1 }, nil)
    }
}
