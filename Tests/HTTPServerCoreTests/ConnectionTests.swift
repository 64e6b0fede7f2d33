import HTTP1
import Testing

@testable import HTTPServerCore

/// A ``HTTPServerCore/Connection`` over a socketpair, its loop stepped by the test: no port, no threads.
@Suite("Connection over a socketpair")
struct ConnectionTests {
    @Test func request_IsAnswered() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = harness.responses()
        #expect(responses.map(\.status) == [200])
        #expect(responses.first?.body == "/text")
        #expect(responses.first?.headers["connection"] == nil)
        #expect(responses.first?.headers["date"]?.hasSuffix(" GMT") == true)
    }

    @Test func postBody_IsReadWhole_WhenItArrivesInPieces() throws {
        let harness = try ConnectionHarness()
        harness.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        #expect(harness.responses().isEmpty)
        harness.send("defghij")
        #expect(harness.responses().map(\.body) == ["abcdefghij"])
    }

    @Test func keepAlive_ServesRequestsOneAfterAnother_OnOneConnection() throws {
        let harness = try ConnectionHarness()
        for path in ["/a", "/b", "/c"] {
            harness.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(harness.responses().map(\.body) == [path])
        }
        #expect(harness.connection.phase == .open)
        #expect(!harness.serverFinishedWriting)
    }

    @Test func connectionClose_AnswersThenShutsDownTheWriteSide() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let responses = harness.responses()
        #expect(responses.map(\.body) == ["/a"])
        #expect(responses.first?.headers["connection"] == "close")
        #expect(harness.serverFinishedWriting)
        #expect(harness.connection.phase == .lingering)
        harness.send("GET /ignored HTTP/1.1\r\nHost: t\r\n\r\n")  // discarded while lingering
        #expect(harness.responses().isEmpty && harness.unframedByteCount == 0)
    }

    @Test func pipelinedRequests_AnsweredInReverse_AreWrittenInRequestOrder() throws {
        let harness = try ConnectionHarness()
        harness.send((1...3).map { "GET /hold\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined())
        #expect(harness.handler.held.map(\.target) == ["/hold1", "/hold2", "/hold3"])
        harness.handler.answerHeld(at: 2)
        harness.handler.answerHeld(at: 1)
        harness.run()
        #expect(harness.responses().isEmpty)  // the first response is still owed
        harness.handler.answerHeld(at: 0)
        harness.run()
        #expect(harness.responses().map(\.body) == ["/hold1", "/hold2", "/hold3"])
    }

    @Test func pipelinedRequests_BeyondTheLimit_WaitInTheBuffer_UntilEarlierOnesAreAnswered() throws {
        var configuration = HTTPServer.Configuration()
        configuration.maxPipelinedRequests = 2
        let harness = try ConnectionHarness(configuration)
        harness.send((1...3).map { "GET /hold\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined())
        #expect(harness.handler.held.count == 2)
        harness.handler.answerHeld(at: 0)
        harness.run()
        #expect(harness.handler.held.count == 3)
        harness.handler.answerHeld(at: 1)
        harness.handler.answerHeld(at: 2)
        harness.run()
        #expect(harness.responses().map(\.body) == ["/hold1", "/hold2", "/hold3"])
    }

    @Test func largeResponses_WaitForTheSocket_AndAreWrittenWhole() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /big?n=1000000 HTTP/1.1\r\nHost: t\r\n\r\nGET /big?n=1000001 HTTP/1.1\r\nHost: t\r\n\r\n")
        // The socket took what fits; the rest waits until the client reads.
        #expect(harness.connection.pendingWriteBytes > 0)
        #expect(harness.connection.interest.contains(.write))
        var responses: [ReceivedResponse] = []
        for _ in 0..<1000 where responses.count < 2 {
            responses += harness.responses()
            harness.run()
        }
        #expect(responses.map(\.body.count) == [1_000_000, 1_000_001])
        #expect(responses.last?.body.last == Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(1_000_000 % 26))))
        #expect(harness.connection.pendingWriteBytes == 0)
        #expect(!harness.connection.interest.contains(.write))
    }
}
