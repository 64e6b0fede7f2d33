import CLinux
import HTTP1
import Logging

/// One client connection: the only type that knows both a socket and a ``HTTP1/RequestParser``.
///
/// It runs read → parse → handler → encode → write, keeps the connection alive between requests, writes pipelined
/// responses strictly in request order, and enforces the timeouts and limits of ``HTTPServer/Configuration``. A
/// ``ConnectionTimer`` decides the timeouts from the events the connection reports; the connection carries out its actions.
///
/// Threading: every method runs on the loop's thread (shared with other connections); nothing blocks.
/// Handlers answer from any thread; their responses hop back onto the loop with ``IOLoop/execute(_:)``.
final class Connection: @unchecked Sendable {  // all mutable state is touched only on the loop thread
    /// Where the connection is in its life.
    enum Phase {
        /// TLS only: the handshake is under way (``Connection+TLS``); no HTTP byte has been read.
        case handshaking
        /// Reading requests and writing responses.
        case open
        /// No more requests: the last response is being produced or written, then the write side is shut down.
        case closingAfterWrite
        /// Write side shut down; unread input is discarded until end-of-file or the linger timeout.
        case lingering
        /// Deregistered from the loop; the descriptor is closed.
        case closed
    }

    /// A request handed to the handler whose response has not been written yet.
    struct Awaiting {
        var sequence: UInt64
        /// `nil` for an error response to a request that could not be parsed.
        var method: HTTPMethod?
        var version: HTTPVersion
        var keepAlive: Bool
        var path: String
        var startedAt: ContinuousClock.Instant
        /// Echoed as `X-Request-Id` and logged with the response.
        var requestID: String
    }

    let id: UInt64
    let socket: Socket
    let remoteAddress: String
    let loop: IOLoop
    let configuration: HTTPServer.Configuration
    let handler: any HTTPHandler
    let logger: Logger
    /// Set when the server announces it will stop: responses then close the connection.
    let shutdownNotice: ShutdownNotice
    /// Called once, on the loop thread, after the descriptor is closed.
    let onClose: @Sendable (UInt64) -> Void
    /// The connection's TLS session, or `nil` for plain HTTP: then reads and writes go straight to the socket.
    let tls: TLSSession?
    /// TLS: a read must send before it can go on (``TLSSession/ReadResult/wantWrite``); it is retried once writable.
    var tlsReadWantsWrite = false

    var parser: RequestParser
    var phase = Phase.open
    /// What the loop currently watches the socket for.
    var interest: IOLoop.Interest = []

    /// Set once no further requests may be parsed (`Connection: close`, a parse error, end-of-file, or draining with
    /// no request part-way in).
    var stopParsing = false
    var peerClosed = false
    var draining = false
    var awaiting: [Awaiting] = []
    var earlyResponses: [UInt64: HTTPResponse] = [:]
    var nextSequence: UInt64 = 0
    var writeBuffer: [UInt8] = []
    var writeOffset = 0

    /// The loop's clock: every instant the timer sees is read from it.
    let clock: LoopClock
    /// Decides the header, body, idle, write-stall and linger timeouts; the connection tells it what happens.
    var timer: ConnectionTimer
    /// ``HTTPServer/Configuration/accessLogHeaderKeys``, worked out once.
    let accessLogHeaderKeys: [(name: String, key: String)]

    init(
        id: UInt64, socket: Socket, remoteAddress: String, loop: IOLoop, configuration: HTTPServer.Configuration,
        handler: any HTTPHandler, logger: Logger, shutdownNotice: ShutdownNotice = ShutdownNotice(), tls: TLSSession? = nil,
        onClose: @escaping @Sendable (UInt64) -> Void
    ) {
        self.tls = tls
        if tls != nil { phase = .handshaking }
        self.shutdownNotice = shutdownNotice
        self.id = id
        self.socket = socket
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.onClose = onClose
        self.parser = RequestParser(limits: configuration.limits)
        self.clock = loop.clock
        self.accessLogHeaderKeys = configuration.accessLogHeaderKeys
        self.timer = ConnectionTimer(timeouts: ConnectionTimer.Timeouts(configuration), openedAt: loop.clock.now())
    }

    /// Registers with the loop and starts reading. Call once, on the loop thread.
    func start() {
        guard phase != .closed else { return }  // the server stopped before the loop got to it
        do {
            try loop.register(self, interest: .read)
        } catch {
            logger.warning("cannot watch connection", metadata: ["connection": "\(id)", "error": "\(error)"])
            close()
            return
        }
        interest = .read
        updateTimer()
    }

    /// Handles what `epoll_wait` reported for the socket.
    func handle(events: UInt32) {
        if phase == .handshaking {
            continueHandshake()
            return
        }
        let failed = events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        if events & EPOLLIN.rawValue != 0 || failed {
            if interest.contains(.read) {
                readable()  // an error or hang-up surfaces as a failed read or end-of-file
            } else if failed {
                // Not reading (a handler is working, or the write side is shut): the socket is dead, and a
                // level-triggered hang-up would be reported again on every wait.
                logger.debug("connection hung up", metadata: ["connection": "\(id)", "remote": "\(remoteAddress)"])
                close()
                return
            }
        }
        if events & EPOLLOUT.rawValue != 0, interest.contains(.write), phase != .closed {
            if tlsReadWantsWrite {
                tlsReadWantsWrite = false
                readable()
                guard phase != .closed else { return }
            }
            flush()
        }
    }

    /// Handles readability: one `recv` per event (level-triggered, so the loop reports it again while data remains).
    func readable() {
        guard phase != .closed else { return }
        // Lingering, a TLS connection's input is discarded undecrypted.
        let result = tls == nil || phase == .lingering ? socket.read(into: loop.readBuffer) : readTLS(into: loop.readBuffer)
        switch result {
        case .bytes(let count):
            guard phase == .open else { return }  // lingering: discard
            let wasIdle = parser.isIdle
            parser.append(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<count]))
            if wasIdle && !parser.isIdle {
                timer.requestStarted(at: clock.now())
            }
            processInput()
            if let tls, tls.hasBufferedInput { readBufferedTLSInput() }
        case .endOfFile:
            peerClosed = true
            if phase == .lingering || (awaiting.isEmpty && pendingWriteBytes == 0) {
                close()
            } else {
                stopParsing = true
                updateInterest()
            }
        case .wouldBlock:
            return
        case .failed(let code):
            logger.debug("read failed", metadata: ["connection": "\(id)", "errno": "\(code)"])
            close()
        }
    }

    /// Turns buffered bytes into requests while the pipelining limit allows.
    func processInput() {
        while phase == .open && !stopParsing && awaiting.count < configuration.maxPipelinedRequests {
            let event: RequestParser.Event?
            do {
                event = try parser.next()
            } catch {
                refuse(.malformed(error))
                break
            }
            guard let event else { break }
            switch event {
            case .continueExpected:
                // RFC 9110 §10.1.1: send 100 Continue, but only when no earlier response is still owed, so the
                // interim response cannot overtake them; otherwise the client stops waiting and sends anyway.
                if awaiting.isEmpty { enqueueWrite(ResponseEncoder.continueResponse) }
            case .request(let request):
                dispatch(request)
            }
        }
        // Draining: once no request is part-way in, no more are read.
        if draining && !requestInProgress { stopParsing = true }
        updateInterest()
    }

    /// Hands a complete request to the handler; its response comes back through ``deliver(_:sequence:)``.
    private func dispatch(_ request: HTTPRequest) {
        let sequence = nextSequence
        nextSequence += 1
        timer.requestDispatched(at: clock.now())
        let keepAlive = request.head.keepAlive
        if !keepAlive { stopParsing = true }
        let now = ContinuousClock.now
        let requestID = RequestID.accepted(request.headers[RequestID.header]) ?? RequestID.make(connection: id, sequence: sequence)
        awaiting.append(
            Awaiting(
                sequence: sequence, method: request.head.method, version: request.head.version, keepAlive: keepAlive, path: request.path,
                startedAt: now, requestID: requestID))
        let loop = self.loop
        let context = RequestContext(remoteAddress: remoteAddress, connectionID: id, receivedAt: now, requestID: requestID)
        handler.handle(request, context: context) { response in
            loop.execute { self.deliver(response, sequence: sequence) }
        }
    }

    /// Answers a request the server refuses itself (parse error, timeout) with the handler's rendering of
    /// `refusal`, then closes.
    func refuse(_ refusal: HTTPRefusal) {
        logger.debug("refusing request", metadata: ["connection": "\(id)", "remote": "\(remoteAddress)", "reason": "\(refusal)"])
        stopParsing = true
        let sequence = nextSequence
        nextSequence += 1
        awaiting.append(
            Awaiting(
                sequence: sequence, method: nil, version: .http1_1, keepAlive: false, path: "-", startedAt: .now,
                requestID: RequestID.make(connection: id, sequence: sequence)))
        deliver(handler.response(for: refusal), sequence: sequence)
    }
}
