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
            case .failed(let code) where code == EMFILE || code == ENFILE:
                // Out of descriptors. The connection waits in the backlog, and the listener stays readable: answer
                // it with a 503 through the spare descriptor rather than spin or leave it hanging.
                if source.shouldWarnAboutDescriptors() {
                    logger.warning("out of file descriptors: refusing connections with 503", metadata: ["errno": "\(code)"])
                }
                guard source.acceptWithSpareDescriptor(on: listener, reject) else {
                    source.pause(for: .milliseconds(100), on: acceptQueue)
                    return
                }
            case .failed(let code):
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

    /// Over the connection limit, out of descriptors, or stopping: one best-effort non-blocking 503, then close.
    private func reject(_ socket: Socket) {
        logger.debug("rejecting a connection", metadata: ["max_connections": "\(configuration.maxConnections)"])
        let response = ErrorResponse.make(status: .serviceUnavailable, message: "Too many connections.")
        let bytes = ResponseEncoder.encode(response, requestMethod: nil, keepAlive: false, date: HTTPDate.format(unixSeconds: Int(time(nil))))
        _ = bytes.withUnsafeBytes { socket.write($0) }
        socket.shutdownWrite()
        socket.close()
    }
}

/// The listener's read source, with a spare descriptor for when the process runs out of them.
final class AcceptSource: @unchecked Sendable {  // touched only on the accept queue (and cancelled under the server lock)
    let source: any DispatchSourceRead
    /// An open descriptor of `/dev/null`, closed to make room for one accept when the process has no other; -1 if none.
    private var spare: Int32
    private var lastDescriptorWarning: ContinuousClock.Instant?

    init(_ source: any DispatchSourceRead) {
        self.source = source
        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    deinit {
        if spare >= 0 { Glibc.close(spare) }
    }

    /// Accepts one connection in the spare descriptor's place, hands it to `reject`, and takes the spare back.
    /// Returns false if there was no spare or nothing could be accepted with it.
    func acceptWithSpareDescriptor(on listener: Socket, _ reject: (Socket) -> Void) -> Bool {
        guard spare >= 0 else {
            spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
            return false
        }
        Glibc.close(spare)
        let result = listener.accept()
        if case .accepted(let socket, _) = result { reject(socket) }
        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if case .accepted = result { return true }
        return false
    }

    /// Whether to log running out of descriptors now: at most once a second.
    func shouldWarnAboutDescriptors() -> Bool {
        let now = ContinuousClock.now
        if let last = lastDescriptorWarning, last.duration(to: now) < .seconds(1) { return false }
        lastDescriptorWarning = now
        return true
    }

    /// Suspends accepting for `interval`, then resumes.
    func pause(for interval: DispatchTimeInterval, on queue: DispatchQueue) {
        source.suspend()
        queue.asyncAfter(deadline: .now() + interval) { self.source.resume() }
    }
}
