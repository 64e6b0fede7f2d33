import Glibc

extension Socket {
    /// What a non-blocking accept produced.
    enum AcceptResult {
        case accepted(Socket, SocketAddress)
        case wouldBlock
        case failed(Int32)
    }

    /// Resolves `host` with getaddrinfo, then creates, binds and listens on the first address that works.
    /// The returned socket is non-blocking with `SO_REUSEADDR` set.
    static func makeListener(host: String, port: Int, backlog: Int32) throws(SocketError) -> Socket {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw SocketError(operation: "getaddrinfo(\(host))", errno: status == EAI_SYSTEM ? errno : EINVAL)
        }
        defer { freeaddrinfo(first) }

        var lastError = SocketError(operation: "bind", errno: EADDRNOTAVAIL)
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard descriptor >= 0 else {
                lastError = .makeFailed("socket")
                continue
            }
            let socket = Socket(fileDescriptor: descriptor)
            do throws(SocketError) {
                try socket.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
                guard bind(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else { throw .makeFailed("bind") }
                guard listen(descriptor, backlog) == 0 else { throw .makeFailed("listen") }
                try socket.setNonBlocking()
                return socket
            } catch {
                lastError = error
                socket.close()
            }
        }
        throw lastError
    }

    /// Accepts one pending connection, made non-blocking and close-on-exec, retrying on EINTR.
    /// (`accept4` would save two calls but Glibc's Swift module does not export it.)
    func accept() -> AcceptResult {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let descriptor = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.accept(fileDescriptor, $0, &length)
                }
            }
            if descriptor >= 0 {
                let socket = Socket(fileDescriptor: descriptor)
                do throws(SocketError) {
                    try socket.setNonBlocking()
                    guard fcntl(descriptor, F_SETFD, FD_CLOEXEC) == 0 else { throw .makeFailed("fcntl") }
                } catch {
                    socket.close()
                    return .failed(error.errno)
                }
                return .accepted(socket, SocketAddress(storage))
            }
            switch errno {
            case EINTR: continue
            // accept(2): ECONNABORTED and EPROTO mean that peer left before accept; the source fires again for the rest.
            case EAGAIN, EWOULDBLOCK, ECONNABORTED, EPROTO: return .wouldBlock
            case let code: return .failed(code)
            }
        }
    }
}
