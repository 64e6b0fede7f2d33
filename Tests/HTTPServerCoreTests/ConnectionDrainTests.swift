import HTTP1
import Testing

@testable import HTTPServerCore

/// What a connection does when the server stops: nothing started is lost, and the last answer says it closes.
@Suite("Connection drain")
struct ConnectionDrainTests {
    /// Runs `beginDrain` on the connection's loop, as ``HTTPServer/stop(drainTimeout:completion:)`` does.
    private func drain(_ harness: ConnectionHarness) {
        harness.connection.beginDrain()
        harness.run()
    }

    @Test func anIdleConnection_ClosesAtOnce() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(harness.responses().map(\.body) == ["/a"])
        drain(harness)
        #expect(harness.connection.phase == .closed)
    }

    @Test func aBodyStillArriving_IsReadToItsEnd_AndAnsweredWithConnectionClose() throws {
        let harness = try ConnectionHarness()
        harness.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        drain(harness)
        #expect(harness.connection.phase == .open, "a request part-way in must not be dropped")
        harness.send("defghij")
        let responses = harness.responses()
        #expect(responses.map(\.body) == ["abcdefghij"])
        #expect(responses.first?.headers["connection"] == "close")
        #expect(harness.serverFinishedWriting)
    }

    @Test func aHeadStillArriving_IsReadToItsEnd_AndAnswered() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /late HTTP/1.1\r\nHo")
        drain(harness)
        harness.send("st: t\r\n\r\n")
        let responses = harness.responses()
        #expect(responses.map(\.body) == ["/late"])
        #expect(responses.first?.headers["connection"] == "close")
    }

    @Test func aHeldRequest_IsAnsweredWithConnectionClose_AndNothingAfterItIsRead() throws {
        let handler = HoldingHandler()
        let harness = try ConnectionHarness(handler: handler)
        harness.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
        drain(harness)
        #expect(harness.connection.phase == .open)
        handler.answerHeld(at: 0)
        harness.run()
        let responses = harness.responses()
        #expect(responses.map(\.body) == ["/hold"])
        #expect(responses.first?.headers["connection"] == "close")
        #expect(harness.serverFinishedWriting)
    }

    /// Once the server announces it will stop (a drain delay began), each kept-alive connection ends after its next
    /// answer, so its client moves on before the server stops accepting; the connection does not close unasked.
    @Test func afterTheAnnouncement_TheNextAnswerSaysClose() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(harness.responses().map { $0.headers["connection"] } == [nil])
        harness.shutdownNotice.announce()
        harness.run()
        #expect(harness.connection.phase == .open, "an idle connection is not closed by the announcement itself")
        harness.send("GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = harness.responses()
        #expect(responses.map(\.body) == ["/b"] && responses.first?.headers["connection"] == "close")
        #expect(harness.serverFinishedWriting)
    }

    @Test func pipelinedRequestsAlreadyBuffered_AreAllAnswered_TheLastWithConnectionClose() throws {
        let handler = HoldingHandler()
        let harness = try ConnectionHarness(handler: handler)
        harness.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        drain(harness)
        handler.answerHeld(at: 0)
        harness.run()
        let responses = harness.responses()
        #expect(responses.map(\.body) == ["/hold", "/b"])
        #expect(responses.map { $0.headers["connection"] } == [nil, "close"])
    }
}
