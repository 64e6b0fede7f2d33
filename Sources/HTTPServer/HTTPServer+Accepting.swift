import Dispatch
import Glibc
import HTTP1
import Logging
import Synchronization

extension HTTPServer {
    /// Most connections accepted per readiness event, so one burst cannot starve the accept queue's timer work.
    static let acceptBatch = 64

    /// Accepts pending connections on `acceptQueue` and hands each to an I/O thread.
    func acceptPending(on listener: Socket, source: AcceptSource) {
        for _ in 0..<Self.acceptBatch {
            switch listener.accept() {
            case .accepted(let socket, let address):
                admit(socket, address: address)
            case .wouldBlock:
                return
            case .failed(let code):
                // EMFILE/ENFILE: out of descriptors. Pause accepting briefly instead of spinning on a ready listener.
                logger.warning("accept failed", metadata: ["error": "\(SocketError(operation: "accept", errno: code))"])
                source.pause(for: .milliseconds(100), on: acceptQueue)
                return
            }
        }
    }

    private func admit(_ socket: Socket, address: SocketAddress) {
        try? socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        let connection = state.withLock { state -> Connection? in
            guard state.lifecycle == .running, state.connections.count < configuration.maxConnections else { return nil }
            let id = state.nextConnectionID
            state.nextConnectionID += 1
            let loop = state.loops[state.nextLoop % state.loops.count]
            state.nextLoop &+= 1
            let connection = Connection(
                id: id, socket: socket, remoteAddress: address.description, loop: loop, configuration: configuration,
                handler: handler, logger: logger, onClose: { [weak self] id in self?.connectionClosed(id) })
            state.connections[id] = connection
            return connection
        }
        guard let connection else {
            reject(socket)
            return
        }
        connection.loop.execute { connection.start() }
    }

    /// Over the connection limit (or stopping): one best-effort non-blocking 503, then close.
    private func reject(_ socket: Socket) {
        logger.debug("connection limit reached: rejecting", metadata: ["max_connections": "\(configuration.maxConnections)"])
        let response = ErrorResponse.make(status: .serviceUnavailable, message: "Too many connections.")
        let bytes = ResponseEncoder.encode(response, requestMethod: nil, keepAlive: false, date: HTTPDate.format(unixSeconds: Int(time(nil))))
        _ = bytes.withUnsafeBytes { socket.write($0) }
        socket.shutdownWrite()
        socket.close()
    }
}

/// The listener's read source, boxed so the pause timer can capture it.
final class AcceptSource: @unchecked Sendable {  // touched only on the accept queue (and cancelled under the server lock)
    let source: any DispatchSourceRead

    init(_ source: any DispatchSourceRead) {
        self.source = source
    }

    /// Suspends accepting for `interval`, then resumes.
    func pause(for interval: DispatchTimeInterval, on queue: DispatchQueue) {
        source.suspend()
        queue.asyncAfter(deadline: .now() + interval) { self.source.resume() }
    }
}
