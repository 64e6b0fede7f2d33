import Glibc
import HTTP1
import Locking
import Logging

extension HTTPServer {
    /// Hands an accepted connection to an I/O thread, or refuses it over the connection limit or while stopping.
    /// Called on the accepting loop's thread.
    func admit(_ socket: Socket, address: SocketAddress) {
        try? socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        let connection = state.withLock { state -> Connection? in
            guard state.lifecycle == .running, state.connections.count < configuration.maxConnections else { return nil }
            let id = state.nextConnectionID
            state.nextConnectionID += 1
            let loop = state.loops[state.nextLoop % state.loops.count]
            state.nextLoop &+= 1
            let connection = Connection(
                id: id, socket: socket, remoteAddress: address.description, loop: loop, configuration: configuration,
                handler: handler, logger: logger, shutdownNotice: shutdownNotice, onClose: { [weak self] id in self?.connectionClosed(id) })
            state.connections[id] = connection
            return connection
        }
        guard let connection else {
            reject(socket)
            return
        }
        connection.loop.execute { connection.start() }
    }

    /// Over the connection limit, out of descriptors, or stopping: one best-effort non-blocking 503, then close.
    func reject(_ socket: Socket) {
        logger.debug("rejecting a connection", metadata: ["max_connections": "\(configuration.maxConnections)"])
        let response = handler.response(for: .tooManyConnections)
        let bytes = ResponseEncoder.encode(response, requestMethod: nil, keepAlive: false, date: HTTPDate.format(unixSeconds: Int(time(nil))))
        _ = bytes.withUnsafeBytes { socket.write($0) }
        socket.shutdownWrite()
        socket.close()
    }
}
