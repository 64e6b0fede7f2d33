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
    func reject(_ socket: Socket) {
        logger.debug("rejecting a connection", metadata: ["max_connections": "\(configuration.maxConnections)"])
        let response = ErrorResponse.make(status: .serviceUnavailable, message: "Too many connections.")
        let bytes = ResponseEncoder.encode(response, requestMethod: nil, keepAlive: false, date: HTTPDate.format(unixSeconds: Int(time(nil))))
        _ = bytes.withUnsafeBytes { socket.write($0) }
        socket.shutdownWrite()
        socket.close()
    }
}

/// The listening socket, watched by the server's first I/O loop, with a spare descriptor for when the process runs
/// out of them.
///
/// Out of descriptors, `accept` fails with EMFILE and leaves the connection in the backlog while the listener stays
/// readable. The acceptor then closes its spare, accepts into that slot, answers 503 and takes the spare back, so
/// clients get an answer and the loop does not spin. If even that fails it stops watching the listener for a moment,
/// on a loop timer, which needs no descriptor.
///
/// Threading: confined to its loop's thread (``close()`` too: the server calls it through ``IOLoop/execute(_:)``).
final class Acceptor: @unchecked Sendable {
    /// Most connections accepted per readiness report, so a burst cannot starve the loop's connections.
    static let batch = 64
    /// How long accepting pauses after a failure that retrying at once would repeat.
    static let pause = Duration.milliseconds(100)

    /// What accepting with the spare descriptor came to.
    enum SpareOutcome: Equatable {
        /// A connection was accepted in the spare's place and refused with a 503.
        case refused
        /// The backlog is empty: Linux reports EMFILE before it looks at the backlog.
        case nothingPending
        /// No spare, or the accept failed even with it.
        case failed
    }

    let listener: Socket
    let loop: IOLoop
    private weak var server: HTTPServer?
    private let logger: Logger
    /// An open descriptor of `/dev/null`, closed to make room for one accept; -1 if none.
    private var spare: Int32
    private var lastDescriptorWarning: ContinuousClock.Instant?
    private var paused = false
    private var closed = false

    init(listener: Socket, loop: IOLoop, server: HTTPServer, logger: Logger) {
        self.listener = listener
        self.loop = loop
        self.server = server
        self.logger = logger
        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    deinit {
        if spare >= 0 { Glibc.close(spare) }
    }

    /// Accepts pending connections (at most ``batch``) and hands each to the server.
    func acceptPending() {
        guard !closed, !paused else { return }
        guard let server else {
            close()  // the server is gone and its loops are ending; a readable listener would be reported again and again
            return
        }
        for _ in 0..<Self.batch {
            switch listener.accept() {
            case .accepted(let socket, let address):
                server.admit(socket, address: address)
            case .wouldBlock:
                return
            case .failed(let code) where code == EMFILE || code == ENFILE:
                if shouldWarnAboutDescriptors() {
                    logger.warning("out of file descriptors: refusing connections with 503", metadata: ["errno": "\(code)"])
                }
                switch acceptWithSpareDescriptor(refusingWith: server.reject) {
                case .refused: continue
                case .nothingPending: return
                case .failed:
                    pauseAccepting()
                    return
                }
            case .failed(let code):
                logger.warning("accept failed", metadata: ["error": "\(SocketError(operation: "accept", errno: code))"])
                pauseAccepting()
                return
            }
        }
    }

    /// Stops accepting and closes the listener (and the spare). Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        loop.deregister(self)
        listener.close()
        if spare >= 0 { Glibc.close(spare) }
        spare = -1
    }

    /// Accepts one connection in the spare descriptor's place, hands it to `refuse`, and takes the spare back.
    private func acceptWithSpareDescriptor(refusingWith refuse: (Socket) -> Void) -> SpareOutcome {
        guard spare >= 0 else {
            spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
            return .failed
        }
        Glibc.close(spare)
        let result = listener.accept()
        if case .accepted(let socket, _) = result { refuse(socket) }
        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
        switch result {
        case .accepted: return .refused
        case .wouldBlock: return .nothingPending
        case .failed: return .failed
        }
    }

    /// Whether to log running out of descriptors now: at most once a second.
    private func shouldWarnAboutDescriptors() -> Bool {
        let now = ContinuousClock.now
        if let last = lastDescriptorWarning, last.duration(to: now) < .seconds(1) { return false }
        lastDescriptorWarning = now
        return true
    }

    /// Stops watching the listener for ``pause``, then watches it again.
    private func pauseAccepting() {
        guard !paused else { return }
        do {
            try loop.setAccepting(false)
        } catch {
            return  // still watched: the next report retries
        }
        paused = true
        loop.execute(after: Self.pause) { [weak self] in self?.resumeAccepting() }
    }

    private func resumeAccepting() {
        guard paused, !closed else { return }
        do {
            try loop.setAccepting(true)
            paused = false
        } catch {
            logger.warning("cannot watch the listener again; retrying", metadata: ["error": "\(error)"])
            loop.execute(after: Self.pause) { [weak self] in self?.resumeAccepting() }
        }
    }
}
