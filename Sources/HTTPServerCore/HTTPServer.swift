import Dispatch
import Glibc
package import HTTP1
import Locking
package import Logging

/// A minimal HTTP/1.1 server on non-blocking sockets and epoll I/O threads.
///
/// ``start()`` binds and listens; the first I/O thread accepts, and connections are spread round-robin over
/// ``Configuration/ioThreadCount`` I/O threads, each an epoll loop. No thread per connection, no blocking reads, no
/// semaphores.
/// ``stop(drainTimeout:completion:)`` stops accepting, lets in-flight requests finish, closes idle connections, then
/// completes; connections still open after the drain timeout are closed forcibly.
///
/// Threading: all package methods may be called from any thread. The handler is called on an I/O thread and must not block.
package final class HTTPServer: Sendable {
    /// The lifecycle; transitions happen under `state`'s lock and an illegal one is reported, never ignored.
    enum Lifecycle: Equatable {
        case initial
        case running
        case draining
        case stopped
    }

    struct State {
        var lifecycle = Lifecycle.initial
        /// Accepts on the first loop, from ``HTTPServer/start()`` until ``HTTPServer/stop(drainTimeout:completion:)``.
        var acceptor: Acceptor?
        /// The I/O threads, from ``HTTPServer/start()`` until the server has stopped.
        var loops: [IOLoop] = []
        var port = 0
        var connections: [UInt64: Connection] = [:]
        var nextConnectionID: UInt64 = 1
        var nextLoop = 0
        var stopCompletions: [@Sendable () -> Void] = []
    }

    /// The configuration the server was created with.
    package let configuration: Configuration
    let handler: any HTTPHandler
    let logger: Logger
    let state = Lock(State())
    /// Read by every connection as it writes a response.
    let shutdownNotice = ShutdownNotice()

    /// Announces that the server will stop: every response from now on carries `Connection: close`, so each
    /// kept-alive connection ends after its next answer and its client reconnects, while the server goes on
    /// accepting and serving until ``stop(drainTimeout:completion:)``. Call it when a drain delay begins.
    package func announceShutdown() {
        shutdownNotice.announce()
    }

    /// Creates a server; nothing is bound until ``start()``.
    /// - Parameter logger: receives one info line per request and debug lines for client errors. Default: label `http-server`.
    package init(configuration: Configuration = Configuration(), handler: any HTTPHandler, logger: Logger = Logger(label: "http-server")) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    deinit {
        // A server dropped without `stop` must not leave its listener or threads behind; the loops close their
        // connections and the listener as they end.
        for loop in state.withLock({ $0.loops }) { loop.shutdown() }
    }

    /// The bound port (useful with port 0), or 0 before ``start()``.
    package var localPort: Int { state.withLock { $0.port } }

    /// Whether the server is accepting connections.
    package var isRunning: Bool { state.withLock { $0.lifecycle == .running } }

    /// The connections open now; each is confined to its loop's thread (see ``IOLoop/execute(_:)``).
    var openConnections: [Connection] { state.withLock { Array($0.connections.values) } }

    /// How many connections are open now (accepted, not yet closed); for a metrics scrape.
    package var openConnectionCount: Int { state.withLock { $0.connections.count } }

    /// Binds, listens and starts accepting. Throws ``SocketError`` if binding fails and
    /// ``HTTPServerError/invalidTransition(from:action:)`` unless the server is new.
    package func start() throws {
        try state.withLock { state throws in
            guard state.lifecycle == .initial else {
                throw HTTPServerError.invalidTransition(from: "\(state.lifecycle)", action: "start")
            }
            let backlog = Int32(clamping: configuration.backlog)
            let listener = try Socket.makeListener(host: configuration.host, port: configuration.port, backlog: backlog)
            let (loops, acceptor) = try startLoops(accepting: listener)
            state.loops = loops
            state.acceptor = acceptor
            state.port = listener.localPort
            state.lifecycle = .running
        }
        logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(localPort)"])
    }

    /// Starts ``Configuration/ioThreadCount`` I/O threads, named `http<port>-io<index>` (for `top -H` and profilers),
    /// the first one watching `listener`. On failure stops those already started and closes `listener`.
    private func startLoops(accepting listener: Socket) throws(SocketError) -> ([IOLoop], Acceptor) {
        var loops: [IOLoop] = []
        var started = 0
        do {
            for index in 0..<max(1, configuration.ioThreadCount) {
                let handler = self.handler
                loops.append(
                    try IOLoop(label: "http\(listener.localPort)-io\(index)", readBufferSize: configuration.readBufferSize) {
                        handler.roundEnded()
                    })
            }
            let acceptor = Acceptor(listener: listener, loop: loops[0], server: self, logger: logger)
            try loops[0].register(acceptor)  // before its thread starts, so no lock is needed
            // The accepting loop starts last: until it runs, the listener is closed here on failure, not by it.
            for loop in loops.reversed() {
                try loop.start()
                started += 1
            }
            return (loops, acceptor)
        } catch {
            for loop in loops.suffix(started) { loop.shutdown() }
            listener.close()
            throw error
        }
    }

    /// Stops gracefully and calls `completion` once every connection is closed.
    ///
    /// Closes the listener, closes idle connections, lets in-flight requests finish and their responses be written
    /// (with `Connection: close`), and closes whatever is still open after `drainTimeout`. Calling it again, or
    /// before ``start()``, is allowed: `completion` is called once the server is stopped.
    package func stop(drainTimeout: Duration = .seconds(10), completion: @escaping @Sendable () -> Void = {}) {
        let (connections, finished) = state.withLock { state -> ([Connection], Bool) in
            switch state.lifecycle {
            case .initial, .stopped:
                state.lifecycle = .stopped
                return ([], true)
            case .draining:
                state.stopCompletions.append(completion)
                return ([], false)
            case .running:
                state.lifecycle = .draining
                if let acceptor = state.acceptor {
                    acceptor.loop.execute { acceptor.close() }
                }
                state.acceptor = nil
                state.stopCompletions.append(completion)
                return (Array(state.connections.values), false)
            }
        }
        if finished {
            completion()
            return
        }
        logger.info("stopping", metadata: ["open_connections": "\(connections.count)"])
        for connection in connections {
            connection.loop.execute { connection.beginDrain() }
        }
        state.withLock { $0.loops.first }?.execute(after: drainTimeout) { [weak self] in self?.forceClose() }
        finishStopIfDrained()
    }

    /// Async form of ``stop(drainTimeout:completion:)``.
    package func stop(drainTimeout: Duration = .seconds(10)) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            stop(drainTimeout: drainTimeout) { continuation.resume() }
        }
    }

    private func forceClose() {
        let connections = state.withLock { $0.lifecycle == .draining ? Array($0.connections.values) : [] }
        if !connections.isEmpty {
            logger.warning("drain timeout: closing connections", metadata: ["count": "\(connections.count)"])
        }
        for connection in connections {
            connection.loop.execute { connection.close() }
        }
    }

    /// Called when a connection's descriptor is closed.
    func connectionClosed(_ id: UInt64) {
        state.withLock { _ = $0.connections.removeValue(forKey: id) }
        finishStopIfDrained()
    }

    private func finishStopIfDrained() {
        let (completions, loops) = state.withLock { state -> ([@Sendable () -> Void], [IOLoop]) in
            guard state.lifecycle == .draining, state.connections.isEmpty else { return ([], []) }
            state.lifecycle = .stopped
            defer {
                state.stopCompletions = []
                state.loops = []
            }
            return (state.stopCompletions, state.loops)
        }
        for loop in loops { loop.shutdown() }
        if !completions.isEmpty { logger.info("stopped") }
        for completion in completions { completion() }
    }
}

/// Misuse of the server's lifecycle.
package enum HTTPServerError: Error, Equatable, Sendable {
    /// `action` is not allowed in lifecycle state `from` (for example starting a server twice).
    case invalidTransition(from: String, action: String)
}
