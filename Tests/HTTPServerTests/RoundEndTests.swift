import Glibc
import HTTP1
import HTTPServer
import Locking
import TestSupport
import Testing

/// The handler's end-of-round hook: what batching on the I/O threads (``InlineBatcher``) relies on.
@Suite("HTTPServer: end of round", .serialized)
struct RoundEndTests {
    /// Holds every request until its I/O thread's round ends, then answers all of them there with
    /// `round <n>: <requests answered in it>`, and records any call that came on another thread.
    final class RoundHandler: HTTPHandler {
        private struct Held {
            let thread: pthread_t
            let respond: @Sendable (HTTPResponse) -> Void
        }
        private struct State {
            var held: [Int: [Held]] = [:]
            var rounds = 0
            var wrongThreads: [String] = []
        }
        private let state = Lock(State())

        var wrongThreads: [String] { state.withLock { $0.wrongThreads } }

        func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
            state.withLock { $0.held[context.ioThread, default: []].append(Held(thread: pthread_self(), respond: respond)) }
        }

        func roundEnded(ioThread: Int) {
            let (held, round) = state.withLock { state -> ([Held], Int) in
                let held = state.held.removeValue(forKey: ioThread) ?? []
                if !held.isEmpty { state.rounds += 1 }
                for item in held where pthread_equal(item.thread, pthread_self()) == 0 {
                    state.wrongThreads.append("a request read on another thread ended its round on I/O thread \(ioThread)")
                }
                return (held, state.rounds)
            }
            for item in held { item.respond(HTTPResponse(text: "round \(round): \(held.count)")) }
        }
    }

    /// Runs `body` against a server with `configuration` answering through a new ``RoundHandler``,
    /// then checks that no request ended its round on another thread.
    func withRoundServer(_ configuration: HTTPServer.Configuration, _ body: (_ port: Int) throws -> Void) throws {
        let handler = RoundHandler()
        try withServer(configuration, handler: handler) { _, port in try body(port) }
        #expect(handler.wrongThreads.isEmpty, "\(handler.wrongThreads)")
    }

    /// `count` pipelined `GET path` requests.
    static func pipelined(_ count: Int, _ path: String) -> String {
        String(repeating: "GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n", count: count)
    }

    @Test func requestsReadTogether_AreAnsweredAtTheEndOfOneRound_OnTheThreadThatReadThem() throws {
        try withRoundServer(HTTPServer.Configuration(ioThreadCount: 2)) { port in
            // Connections go to the I/O threads in turn, so these two are read by different threads.
            let first = try RawHTTPClient(port: port)
            let second = try RawHTTPClient(port: port)
            try first.send(Self.pipelined(3, "/a"))
            let bodies = try (0..<3).map { _ in try first.readResponse().text }
            // One recv, one round: the three pipelined requests were held and answered together.
            #expect(Set(bodies).count == 1, "\(bodies)")
            #expect(bodies.first?.hasSuffix(": 3") == true, "\(bodies)")

            try second.send(Self.pipelined(1, "/b"))
            #expect(try second.readResponse().text.hasSuffix(": 1"))
            // A later request on the first connection is a new round.
            try first.send(Self.pipelined(1, "/c"))
            let later = try first.readResponse().text
            #expect(later.hasSuffix(": 1") && later != bodies.first, "\(later)")
        }
    }

    /// Requests the server parses while writing a round's responses (pipelined beyond
    /// `maxPipelinedRequests`, so parsed only once earlier ones are answered) must not wait for a
    /// socket event that is not coming: their round ends too.
    @Test func requestsParsedWhileAnswering_AreAnsweredWithoutWaitingForMoreInput() throws {
        try withRoundServer(HTTPServer.Configuration(maxPipelinedRequests: 4)) { port in
            let client = try RawHTTPClient(port: port)
            try client.send(Self.pipelined(10, "/a"))
            let bodies = try (0..<10).map { _ in try client.readResponse().text }
            #expect(bodies.count == 10 && bodies.allSatisfy { $0.hasPrefix("round ") }, "\(bodies)")
        }
    }
}
