import HTTP1
import Testing

@testable import HTTPServerCore

/// A ``HTTPServerCore/Connection``'s timeouts over a socketpair, with the default configuration (header 10 s, body
/// 30 s, idle 60 s, linger 2 s) and a clock the test moves: each fires at its deadline, not a nanosecond before, and
/// no test waits.
@Suite("Connection timeouts over a socketpair")
struct ConnectionTimeoutTests {
    private static let second: UInt64 = 1_000_000_000

    @Test func headerTimeout_OfTheFirstRequest_CountsFromOpening_AndAnswers408() throws {
        let harness = try ConnectionHarness()
        harness.advance(to: harness.openedAt + 10 * Self.second - 1)
        #expect(harness.responses().isEmpty && harness.connection.phase == .open)
        harness.advance(by: .nanoseconds(1))
        let responses = harness.responses()
        #expect(responses.map(\.status) == [408])
        #expect(responses.first?.body == "refused: \(HTTPRefusal.headTimeout)")
        #expect(responses.first?.headers["connection"] == "close")
        #expect(harness.serverFinishedWriting)
    }

    @Test func headerTimeout_OfALaterRequest_CountsFromItsFirstByte() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(harness.responses().map(\.status) == [200])
        harness.advance(by: .seconds(20))
        let firstByte = harness.clock.now
        harness.send("GET /b HT")
        harness.advance(to: firstByte + 10 * Self.second - 1)
        #expect(harness.responses().isEmpty && harness.connection.phase == .open)
        harness.advance(by: .nanoseconds(1))
        #expect(harness.responses().map(\.body) == ["refused: \(HTTPRefusal.headTimeout)"])
    }

    @Test func bodyTimeout_CountsFromTheCompleteHead_AndAnswers408() throws {
        let harness = try ConnectionHarness()
        harness.advance(by: .seconds(1))
        harness.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        let headComplete = harness.clock.now
        harness.advance(by: .seconds(29))
        harness.send("def")  // body bytes do not move the deadline
        harness.advance(to: headComplete + 30 * Self.second - 1)
        #expect(harness.responses().isEmpty && harness.connection.phase == .open)
        harness.advance(by: .nanoseconds(1))
        let responses = harness.responses()
        #expect(responses.map(\.status) == [408])
        #expect(responses.first?.body == "refused: \(HTTPRefusal.bodyTimeout)")
    }

    /// A body that arrives behind a request the handler still works on counts from when the connection first waits
    /// for it, not from when an earlier body did.
    @Test func bodyTimeout_OfAPipelinedRequest_CountsFromItsOwnHead() throws {
        let harness = try ConnectionHarness()
        harness.send("POST /hold HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab")  // its body clock starts now
        harness.advance(by: .seconds(20))
        harness.send("cdPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nx")
        harness.advance(by: .seconds(5))
        harness.handler.answerHeld(at: 0)
        harness.run()
        #expect(harness.responses().map(\.body) == ["/hold"])
        let waitsForBody = harness.clock.now
        harness.advance(to: waitsForBody + 30 * Self.second - 1)
        #expect(harness.responses().isEmpty && harness.connection.phase == .open)
        harness.advance(by: .nanoseconds(1))
        #expect(harness.responses().map(\.body) == ["refused: \(HTTPRefusal.bodyTimeout)"])
    }

    @Test func idleTimeout_CountsFromTheLastResponse_AndClosesSilently() throws {
        let harness = try ConnectionHarness()
        harness.advance(by: .seconds(5))
        harness.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(harness.responses().count == 1)
        let answered = harness.clock.now
        harness.advance(to: answered + 60 * Self.second - 1)
        #expect(harness.connection.phase == .open)
        harness.advance(by: .nanoseconds(1))
        #expect(harness.isClosed)
        #expect(harness.responses().isEmpty && harness.unframedByteCount == 0)
        #expect(harness.serverFinishedWriting)
    }

    @Test func writeStall_CountsFromTheLastProgress_AndCloses() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /big?n=1000000 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(harness.connection.pendingWriteBytes > 0)
        // The client reads a little after 30 s; the server writes more, and the stall counts from then.
        harness.advance(by: .seconds(30))
        harness.receive()
        harness.run()
        let progressed = harness.clock.now
        #expect(harness.connection.pendingWriteBytes > 0)
        harness.advance(to: progressed + 60 * Self.second - 1)
        #expect(harness.connection.phase == .open)
        harness.advance(by: .nanoseconds(1))
        #expect(harness.isClosed)
    }

    @Test func linger_EndsAtTheLingerTimeout() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(harness.responses().count == 1 && harness.connection.phase == .lingering)
        harness.advance(to: harness.openedAt + 2 * Self.second - 1)
        #expect(harness.connection.phase == .lingering)
        harness.advance(by: .nanoseconds(1))
        #expect(harness.isClosed)
    }

    @Test func noTimeout_WhileTheHandlerWorks_ThenIdleFromItsResponse() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
        harness.advance(by: .seconds(3600))
        #expect(harness.responses().isEmpty && harness.connection.phase == .open)
        harness.handler.answerHeld(at: 0)
        harness.run()
        #expect(harness.responses().map(\.body) == ["/hold"])
        let answered = harness.clock.now
        harness.advance(to: answered + 60 * Self.second - 1)
        #expect(harness.connection.phase == .open)
        harness.advance(by: .nanoseconds(1))
        #expect(harness.isClosed)
    }
}
