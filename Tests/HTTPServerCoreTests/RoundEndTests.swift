import Glibc
import HTTP1
import HTTPServerCore
import Locking
import TestSupport
import Testing

/// The handler's end-of-round hook: what batching on the I/O threads (``InlineBatcher``) relies on.
@Suite("HTTPServer: end of round", .serialized)
struct RoundEndTests {
    /// Holds every request until the round of the thread that handled it ends, then answers all of
    /// them there with `round <n>: <requests answered in it>`; a request can only be answered on
    /// the thread that handled it, as requests are held per thread.
    final class RoundHandler: HTTPHandler {
        private struct State {
            var held: [UInt: [@Sendable (HTTPResponse) -> Void]] = [:]
            var rounds = 0
        }
        private let state = Lock(State())

        /// Requests handled but not yet answered, on any thread.
        var heldCount: Int { state.withLock { $0.held.values.reduce(0) { $0 + $1.count } } }

        func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
            state.withLock { $0.held[pthread_self(), default: []].append(respond) }
        }

        func roundEnded() {
            let (held, round) = state.withLock { state -> ([@Sendable (HTTPResponse) -> Void], Int) in
                let held = state.held.removeValue(forKey: pthread_self()) ?? []
                if !held.isEmpty { state.rounds += 1 }
                return (held, state.rounds)
            }
            for respond in held { respond(HTTPResponse(text: "round \(round): \(held.count)")) }
        }
    }

    /// Runs `body` against a server with `configuration` answering through a new ``RoundHandler``.
    /// Every request must have been answered, so every thread that handled one ended its round.
    func withRoundServer(_ configuration: HTTPServer.Configuration, _ body: (_ port: Int) throws -> Void) throws {
        let handler = RoundHandler()
        try withServer(configuration, handler: handler) { _, port in try body(port) }
        #expect(handler.heldCount == 0)
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
