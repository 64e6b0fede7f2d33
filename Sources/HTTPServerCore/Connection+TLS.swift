import Glibc
import Logging

/// The TLS side of a connection: the handshake, and the reads and writes that go through the session. The plain path
/// never comes here; the HTTP parser never sees anything but decrypted bytes.
extension Connection {
    /// Takes the handshake one step further on readiness; once it is done the connection reads requests.
    func continueHandshake() {
        guard phase == .handshaking, let tls else { return }
        switch tls.handshake() {
        case .done:
            phase = .open
            if logger.logLevel <= .trace {
                logger.trace(
                    "TLS handshake done", metadata: ["connection": "\(id)", "version": "\(tls.version)", "cipher": "\(tls.cipher)"])
            }
            updateInterest()
        case .wantRead:
            watch(.read)
        case .wantWrite:
            watch(.write)
        case .failed(let reason):
            // Plain HTTP on the TLS port, TLS 1.0/1.1, no shared cipher, or a client that gave up: the client's doing.
            logger.debug("TLS handshake failed", metadata: ["connection": "\(id)", "remote": "\(remoteAddress)", "reason": "\(reason)"])
            close()
        }
    }

    /// A read through the session, in the socket's terms.
    func readTLS(into buffer: UnsafeMutableRawBufferPointer) -> Socket.ReadResult {
        guard let tls else { return .failed(EPROTO) }
        switch tls.read(into: buffer) {
        case .bytes(let count):
            return .bytes(count)
        case .endOfFile:
            return .endOfFile
        case .wantRead:
            return .wouldBlock
        case .wantWrite:
            tlsReadWantsWrite = true
            updateInterest()
            return .wouldBlock
        case .failed(let reason):
            logger.debug("TLS read failed", metadata: ["connection": "\(id)", "reason": "\(reason)"])
            return .failed(EPROTO)
        }
    }

    /// A write through the session, in the socket's terms.
    func writeTLS(_ bytes: UnsafeRawBufferPointer) -> Socket.WriteResult {
        guard let tls else { return .failed(EPROTO) }
        switch tls.write(bytes) {
        case .sent(let count):
            return .sent(count)
        case .wantWrite, .wantRead:
            return .wouldBlock
        case .failed(let reason):
            logger.debug("TLS write failed", metadata: ["connection": "\(id)", "reason": "\(reason)"])
            return .failed(EPROTO)
        }
    }

    /// Decrypted bytes wait in the session, where epoll cannot see them: read them on the loop's next task, if reading
    /// is still wanted then (``updateInterest()`` calls this again when reading resumes). Not expected: a read takes a
    /// whole record, up to 16 KiB, whenever the read buffer is at least that large.
    func readBufferedTLSInput() {
        loop.execute { [self] in
            if phase == .open && interest.contains(.read) { readable() }
        }
    }
}
