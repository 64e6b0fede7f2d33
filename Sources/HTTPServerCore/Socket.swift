import Glibc

/// A thin wrapper over a non-blocking TCP socket descriptor. Reports errno faithfully and never blocks.
///
/// Threading: a plain value around a file descriptor; the owner confines it to one queue and closes it exactly once.
struct Socket {
    /// What a non-blocking read produced.
    enum ReadResult: Equatable {
        case bytes(Int)
        case endOfFile
        case wouldBlock
        case failed(Int32)
    }

    /// What a non-blocking write produced.
    enum WriteResult: Equatable {
        case sent(Int)
        case wouldBlock
        case failed(Int32)
    }

    let fileDescriptor: Int32

    /// Puts the descriptor in non-blocking mode.
    func setNonBlocking() throws(SocketError) {
        let flags = fcntl(fileDescriptor, F_GETFL)
        guard flags >= 0, fcntl(fileDescriptor, F_SETFL, flags | O_NONBLOCK) >= 0 else { throw .makeFailed("fcntl") }
    }

    /// Sets an integer socket option.
    func setOption(level: Int32, name: Int32, value: Int32) throws(SocketError) {
        var value = value
        guard setsockopt(fileDescriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .makeFailed("setsockopt")
        }
    }

    /// Reads up to `buffer.count` bytes, retrying on EINTR.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        while true {
            let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .endOfFile }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(code)
            }
        }
    }

    /// Writes what the kernel accepts of `bytes`; `MSG_NOSIGNAL` turns a closed peer into EPIPE instead of SIGPIPE.
    func write(_ bytes: UnsafeRawBufferPointer) -> WriteResult {
        while true {
            let count = send(fileDescriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return .sent(count) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(code)
            }
        }
    }

    /// Half-closes the connection: the peer reads end-of-file after the bytes already sent.
    func shutdownWrite() {
        _ = Glibc.shutdown(fileDescriptor, Int32(SHUT_WR))
    }

    /// Closes the descriptor. Call exactly once, after the I/O loop has stopped watching it.
    func close() {
        _ = Glibc.close(fileDescriptor)
    }

    /// The local port the socket is bound to, or 0.
    var localPort: Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
        }
        guard result == 0 else { return 0 }
        return SocketAddress(storage).port
    }
}
