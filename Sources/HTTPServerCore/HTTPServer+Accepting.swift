import Glibc
import HTTP1
import Locking
import Logging

extension HTTPServer {
    /// Hands an accepted connection to an I/O thread, or refuses it over the connection limit or while stopping.
    /// Called on the accepting loop's thread.
    func admit(_ socket: Socket, address: SocketAddress) {
        try? socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        var session: TLSSession?
        if let tls = configuration.tls {
            session = tls.makeSession(for: socket)
            guard session != nil else {
                logger.warning("cannot start a TLS session (out of memory?): closing the connection")
                socket.close()
                return
            }
        }
        let connection = state.withLock { state -> Connection? in
            guard state.lifecycle == .running, state.connections.count < configuration.maxConnections else { return nil }
            let id = state.nextConnectionID
            state.nextConnectionID += 1
            let loop = state.loops[state.nextLoop % state.loops.count]
            state.nextLoop &+= 1
            let connection = Connection(
                id: id, socket: socket, remoteAddress: address.description, loop: loop, configuration: configuration,
                handler: handler, logger: logger, shutdownNotice: shutdownNotice, tls: session,
                onClose: { [weak self] id in self?.connectionClosed(id) })
            state.connections[id] = connection
            return connection
        }
        guard let connection else {
            reject(socket)
            return
        }
        connection.loop.execute { connection.start() }
    }

    /// Over the connection limit, out of descriptors, or stopping: one best-effort non-blocking 503, then close. With TLS,
    /// which needs a handshake before any HTTP, only the close.
    func reject(_ socket: Socket) {
        logger.debug("rejecting a connection", metadata: ["max_connections": "\(configuration.maxConnections)"])
        guard configuration.tls == nil else {
            socket.close()
            return
        }
        let response = handler.response(for: .tooManyConnections)
        let bytes = ResponseEncoder.encode(response, requestMethod: nil, keepAlive: false, date: HTTPDate.format(unixSeconds: Int(time(nil))))
        _ = bytes.withUnsafeBytes { socket.write($0) }
        socket.shutdownWrite()
        socket.close()
    }
}
