import COpenSSL
import Glibc

/// One server connection's TLS state: an `SSL` in accept state over the connection's non-blocking descriptor.
///
/// Each call does what it can without blocking and says what it waits for: `wantRead` and `wantWrite` are OpenSSL's
/// `SSL_ERROR_WANT_READ`/`WANT_WRITE`, which the connection turns into epoll interest and retries the same call on
/// readiness. Every call starts with an empty OpenSSL error queue (it is per thread, shared by the loop's
/// connections), as `SSL_get_error` requires, and leaves it empty.
///
/// Threading: confined to the connection's loop thread. The `SSL` is freed with the session.
final class TLSSession {
    /// What a handshake step came to.
    enum HandshakeResult: Equatable {
        case done
        case wantRead
        case wantWrite
        /// The peer closed, or sent something that is not an acceptable TLS handshake: plain HTTP, an old protocol
        /// version, no shared cipher. `reason` is OpenSSL's, for a debug line.
        case failed(reason: String)
    }

    /// What a read came to.
    enum ReadResult: Equatable {
        case bytes(Int)
        /// close_notify, or end-of-file (the context ignores a missing close_notify).
        case endOfFile
        case wantRead
        /// The read must send first (a TLS 1.3 key update answer) and the socket is full: retry once writable.
        case wantWrite
        case failed(reason: String)
    }

    /// What a write came to.
    enum WriteResult: Equatable {
        case sent(Int)
        case wantWrite
        /// The write must read first. With renegotiation off this does not happen; handled as waiting to write.
        case wantRead
        case failed(reason: String)
    }

    /// The context stays alive as long as the session, with its certificate, whatever reloads happen meanwhile.
    private let context: TLSContext
    private let ssl: OpaquePointer

    init?(context: TLSContext, descriptor: Int32) {
        guard let ssl = SSL_new(context.pointer) else {
            ERR_clear_error()
            return nil
        }
        guard SSL_set_fd(ssl, descriptor) == 1 else {
            ERR_clear_error()
            SSL_free(ssl)
            return nil
        }
        SSL_set_accept_state(ssl)
        self.context = context
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
    }

    /// One step of the handshake.
    func handshake() -> HandshakeResult {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case let code: return .failed(reason: reason(code))
        }
    }

    /// Decrypted bytes into `buffer` (at most one record's worth: up to 16 KiB).
    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if count > 0 { return .bytes(Int(count)) }
        switch SSL_get_error(ssl, count) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .endOfFile
        case let code: return .failed(reason: reason(code))
        }
    }

    /// Whether decrypted bytes wait in the session: the socket may not report readable for them.
    var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    /// Encrypts and sends what the socket takes of `bytes` (partial writes are on). After `wantWrite`, the next call
    /// must pass the same bytes again, possibly with more after them and at another address.
    func write(_ bytes: UnsafeRawBufferPointer) -> WriteResult {
        ERR_clear_error()
        let count = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        if count > 0 { return .sent(Int(count)) }
        switch SSL_get_error(ssl, count) {
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_WANT_READ: return .wantRead
        case let code: return .failed(reason: reason(code))
        }
    }

    /// Sends close_notify if the socket takes it now; best effort, as the connection half-closes next anyway.
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// The protocol version, e.g. `TLSv1.3`.
    var version: String { String(cString: SSL_get_version(ssl)) }

    /// The cipher suite's name.
    var cipher: String { SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) } ?? "-" }

    /// Why a call failed: OpenSSL's reasons, or the system error for `SSL_ERROR_SYSCALL`; the error queue is emptied.
    private func reason(_ code: Int32) -> String {
        let systemError = errno
        if code == SSL_ERROR_SYSCALL {
            let queued = TLSError.openSSLReasons()
            guard queued == "unknown" else { return queued }
            return systemError == 0 ? "connection closed" : String(cString: strerror(systemError))
        }
        return TLSError.openSSLReasons()
    }
}
