import Glibc
import HTTP1
import Synchronization
import TestSupport

@testable import HTTPServerCore

/// A clock that moves only when a test moves it, in nanoseconds from an arbitrary start.
final class ManualClock: Sendable {
    private let nanoseconds: Atomic<UInt64>

    init(start: UInt64 = 1_000_000_000) {
        nanoseconds = Atomic(start)
    }

    /// The current instant.
    var now: UInt64 { nanoseconds.load(ordering: .relaxed) }

    /// The clock as an ``HTTPServerCore/IOLoop`` reads it.
    var loopClock: LoopClock { LoopClock { self.now } }

    /// Moves the clock to `instant`, which must not be earlier than now.
    func advance(to instant: UInt64) {
        precondition(instant >= now, "a monotonic clock cannot go back")
        nanoseconds.store(instant, ordering: .relaxed)
    }

    /// Moves the clock on by `duration`.
    func advance(by duration: Duration) {
        advance(to: now + duration.nonNegativeNanoseconds)
    }
}

/// A handler for the socketpair tests: `/hold...` waits until the test calls ``answerHeld(at:)``, `/big?n=N` returns
/// N bytes cycling through `a`...`z`, `/echo` returns the body, anything else its own target. Refusals are rendered as
/// `refused: <the refusal>`.
final class HoldingHandler: HTTPHandler, @unchecked Sendable {  // used only on the test thread, which also steps the loop
    /// Responders of held requests, with their targets, in arrival order; answered ones are `nil`.
    private(set) var held: [(target: String, respond: (@Sendable (HTTPResponse) -> Void)?)] = []

    func response(for refusal: HTTPRefusal) -> HTTPResponse {
        HTTPResponse(status: refusal.status, contentType: "text/x-refusal", body: Array("refused: \(refusal)".utf8))
    }

    func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        switch request.path {
        case let path where path.hasPrefix("/hold"):
            held.append((request.head.target, respond))
        case "/big":
            let count = Int(request.query?.split(separator: "=").last ?? "0") ?? 0
            let alphabet = Array(UInt8(ascii: "a")...UInt8(ascii: "z"))
            var body: [UInt8] = []
            body.reserveCapacity(count)
            while body.count < count { body += alphabet.prefix(count - body.count) }
            respond(HTTPResponse(body: body))
        case "/echo":
            respond(HTTPResponse(body: request.body))
        default:
            respond(HTTPResponse(text: request.head.target))
        }
    }

    /// Forgets the held requests without answering them.
    func dropHeld() {
        held.removeAll()
    }

    /// Answers the held request at `index` (in arrival order) with its target.
    func answerHeld(at index: Int) {
        guard let respond = held[index].respond else { preconditionFailure("request \(index) was answered already") }
        held[index].respond = nil
        respond(HTTPResponse(text: held[index].target))
    }
}

/// One response as the client received it.
struct ReceivedResponse: Equatable {
    var status: Int
    var headers: [String: String]
    var body: String
}

/// One ``HTTPServerCore/Connection`` on one end of a `socketpair(AF_UNIX, SOCK_STREAM)`, the other end played by the
/// test, and the connection's ``HTTPServerCore/IOLoop`` stepped on the test thread with a ``ManualClock``: no port, no
/// thread, no real waiting. Each call that sends or moves the clock then runs the loop until it has nothing left to do.
///
/// Threading: one test thread does everything, so it may read the connection's state directly.
final class ConnectionHarness {
    let clock = ManualClock()
    let handler: HoldingHandler
    let loop: IOLoop
    let connection: Connection
    /// When the connection opened, by ``clock``.
    let openedAt: UInt64
    /// The test's end of the socketpair.
    private let client: Int32
    /// Bytes received and not yet taken by ``responses()``.
    private var received: [UInt8] = []
    /// Whether the client read end-of-file: the server shut down its write side or closed.
    private(set) var serverFinishedWriting = false

    /// What the server would announce before stopping; tests announce it through the harness.
    let shutdownNotice = ShutdownNotice()

    init(_ configuration: HTTPServer.Configuration = HTTPServer.Configuration(), handler: HoldingHandler = HoldingHandler()) throws {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw SocketError.makeFailed("socketpair")
        }
        client = pair[1]
        let socket = Socket(fileDescriptor: pair[0])
        try socket.setNonBlocking()
        self.handler = handler
        loop = try IOLoop(label: "socketpair", readBufferSize: configuration.readBufferSize, clock: clock.loopClock) {}
        openedAt = clock.now
        connection = Connection(
            id: 1, socket: socket, remoteAddress: "socketpair", loop: loop, configuration: configuration, handler: handler,
            logger: quietLogger, shutdownNotice: shutdownNotice, onClose: { _ in })
        connection.start()
        run()
    }

    deinit {
        handler.dropHeld()  // a responder holds the connection, which holds the handler
        connection.close()  // also breaks the loop's reference to it
        Glibc.close(client)
    }

    /// Whether the server closed the connection (as opposed to lingering or serving).
    var isClosed: Bool { connection.phase == .closed }

    /// Runs loop rounds, without waiting, until one reports nothing.
    func run() {
        var rounds = 0
        repeat {
            rounds += 1
            precondition(rounds < 1000, "the loop never settles")
        } while loop.runRound(waitMilliseconds: 0)
    }

    /// Sends `text` from the client, running the loop whenever the socket is full, then runs it until it settles.
    func send(_ text: String) {
        send(Array(text.utf8))
    }

    /// Sends `bytes` from the client, running the loop whenever the socket is full, then runs it until it settles.
    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
            if count > 0 {
                offset += count
            } else {
                precondition(errno == EAGAIN, "send failed: errno \(errno)")
                run()
            }
        }
        run()
    }

    /// Moves the clock to `instant` and runs the loop, which fires the timers then due.
    func advance(to instant: UInt64) {
        clock.advance(to: instant)
        run()
    }

    /// Moves the clock on by `duration` and runs the loop.
    func advance(by duration: Duration) {
        advance(to: clock.now + duration.nonNegativeNanoseconds)
    }

    /// Reads what the server has sent so far, without waiting.
    func receive() {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                received += chunk[0..<count]
            } else {
                if count == 0 { serverFinishedWriting = true }
                return
            }
        }
    }

    /// The complete responses received so far (interim ones included), taken from the buffer. Responses are framed by
    /// `Content-Length`, which this server always sends.
    func responses() -> [ReceivedResponse] {
        receive()
        var responses: [ReceivedResponse] = []
        while let response = takeResponse() { responses.append(response) }
        return responses
    }

    /// Bytes received that do not make a complete response yet.
    var unframedByteCount: Int { received.count }

    private func takeResponse() -> ReceivedResponse? {
        let terminator = Array("\r\n\r\n".utf8)
        guard received.count >= 4, let headEnd = (0...(received.count - 4)).first(where: { received[$0..<$0 + 4].elementsEqual(terminator) })
        else { return nil }
        let lines = String(decoding: received[0..<headEnd], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[String(parts[0]).lowercased()] = String(parts[1].drop { $0 == " " })
        }
        let length = status < 200 ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        guard received.count >= headEnd + 4 + length else { return nil }
        let body = String(decoding: received[(headEnd + 4)..<(headEnd + 4 + length)], as: UTF8.self)
        received.removeFirst(headEnd + 4 + length)
        return ReceivedResponse(status: status, headers: headers, body: body)
    }
}
