import Dispatch
import HTTP1
import Logging

/// One client connection: the only type that knows both a socket and a ``HTTP1/RequestParser``.
///
/// It runs read → parse → handler → encode → write, keeps the connection alive between requests, writes pipelined
/// responses strictly in request order, and enforces the timeouts and limits of ``HTTPServer/Configuration``.
///
/// Threading: every method runs on `loop.queue` (a serial queue shared with other connections); nothing blocks.
/// Handlers answer from any thread; their responses hop back onto `loop.queue`.
final class Connection: @unchecked Sendable {  // all mutable state is touched only on `loop.queue`
    /// Where the connection is in its life.
    enum Phase {
        /// Reading requests and writing responses.
        case open
        /// No more requests: the last response is being produced or written, then the write side is shut down.
        case closingAfterWrite
        /// Write side shut down; unread input is discarded until end-of-file or the linger timeout.
        case lingering
        /// Sources cancelled; the descriptor closes when the last cancel handler runs.
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
    }

    let id: UInt64
    let socket: Socket
    let remoteAddress: String
    let loop: IOLoop
    let configuration: HTTPServer.Configuration
    let handler: any HTTPHandler
    let logger: Logger
    /// Called once, on `loop.queue`, after the descriptor is closed.
    let onClose: @Sendable (UInt64) -> Void

    var parser: RequestParser
    var phase = Phase.open
    var readSource: (any DispatchSourceRead)?
    var writeSource: (any DispatchSourceWrite)?
    var timer: (any DispatchSourceTimer)?
    var readSuspended = false
    var writeSuspended = false
    var liveSources = 0

    /// Set once no further requests may be parsed (`Connection: close`, a parse error, draining, end-of-file).
    var stopParsing = false
    var peerClosed = false
    var draining = false
    var awaiting: [Awaiting] = []
    var earlyResponses: [UInt64: HTTPResponse] = [:]
    var nextSequence: UInt64 = 0
    var writeBuffer: [UInt8] = []
    var writeOffset = 0

    var requestsStarted = 0
    let openedAt = DispatchTime.now()
    var requestStartedAt = DispatchTime.now()
    var bodyStartedAt: DispatchTime?
    var idleSince = DispatchTime.now()
    var lastWriteProgress = DispatchTime.now()
    var lingerStartedAt = DispatchTime.now()
    var armedDeadline: DispatchTime?

    init(
        id: UInt64, socket: Socket, remoteAddress: String, loop: IOLoop, configuration: HTTPServer.Configuration,
        handler: any HTTPHandler, logger: Logger, onClose: @escaping @Sendable (UInt64) -> Void
    ) {
        self.id = id
        self.socket = socket
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.onClose = onClose
        self.parser = RequestParser(limits: configuration.limits)
    }

    /// Creates the read source and the timer and starts reading. Call once, on `loop.queue`.
    func start() {
        let read = DispatchSource.makeReadSource(fileDescriptor: socket.fileDescriptor, queue: loop.queue)
        read.setEventHandler { self.readable() }
        read.setCancelHandler { self.sourceCancelled() }
        let timer = DispatchSource.makeTimerSource(queue: loop.queue)
        timer.setEventHandler { self.timerFired() }
        timer.setCancelHandler { self.sourceCancelled() }
        timer.schedule(deadline: .distantFuture, repeating: .never)
        liveSources = 2
        readSource = read
        self.timer = timer
        read.activate()
        timer.activate()
        updateTimer()
    }

    /// Handles readability: one `recv` per event (the source fires again while data remains).
    func readable() {
        guard phase != .closed else { return }
        switch socket.read(into: loop.readBuffer) {
        case .bytes(let count):
            guard phase == .open else { return }  // lingering: discard
            let wasIdle = parser.isIdle
            parser.append(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<count]))
            if wasIdle && !parser.isIdle {
                requestStartedAt = .now()
            }
            processInput()
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
                refuse(status: error.status, message: error.message, reason: "\(error)")
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
        updateInterest()
    }

    /// Hands a complete request to the handler; its response comes back through ``deliver(_:sequence:)``.
    private func dispatch(_ request: HTTPRequest) {
        let sequence = nextSequence
        nextSequence += 1
        requestsStarted += 1
        requestStartedAt = .now()  // bytes of a pipelined successor already buffered count from here
        let keepAlive = request.head.keepAlive
        if !keepAlive { stopParsing = true }
        let now = ContinuousClock.now
        awaiting.append(
            Awaiting(
                sequence: sequence, method: request.head.method, version: request.head.version, keepAlive: keepAlive, path: request.path,
                startedAt: now))
        let queue = loop.queue
        let context = RequestContext(remoteAddress: remoteAddress, connectionID: id, receivedAt: now)
        handler.handle(request, context: context) { response in
            queue.async { self.deliver(response, sequence: sequence) }
        }
    }

    /// Answers a request the server refuses itself (parse error, timeout) with a JSON error, then closes.
    func refuse(status: HTTPStatus, message: String, reason: String) {
        logger.debug("refusing request", metadata: ["connection": "\(id)", "remote": "\(remoteAddress)", "reason": "\(reason)"])
        stopParsing = true
        let sequence = nextSequence
        nextSequence += 1
        awaiting.append(Awaiting(sequence: sequence, method: nil, version: .http1_1, keepAlive: false, path: "-", startedAt: .now))
        deliver(ErrorResponse.make(status: status, message: message), sequence: sequence)
    }
}
