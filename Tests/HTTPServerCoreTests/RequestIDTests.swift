import HTTP1
import Testing

@testable import HTTPServerCore

/// `X-Request-Id`: a reasonable client id is echoed, anything else is replaced by one the server makes.
@Suite("X-Request-Id")
struct RequestIDTests {
    @Test func aClientsID_IsEchoed() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /a HTTP/1.1\r\nHost: t\r\nX-Request-Id: 4bf92f35-77b3-4da6.a:b/c+d=\r\n\r\n")
        #expect(harness.responses().map { $0.headers["x-request-id"] } == ["4bf92f35-77b3-4da6.a:b/c+d="])
    }

    @Test(arguments: ["bad id", "a\"b", String(repeating: "x", count: RequestID.maxLength + 1), "é"])
    func anUnreasonableID_IsReplaced(id: String) throws {
        let harness = try ConnectionHarness()
        harness.send("GET /a HTTP/1.1\r\nHost: t\r\nX-Request-Id: \(id)\r\n\r\n")
        let echoed = try #require(harness.responses().first?.headers["x-request-id"])
        #expect(echoed != id && echoed.hasPrefix(RequestID.processPrefix + "-"))
    }

    @Test func withoutOne_EachRequestGetsItsOwn() throws {
        let harness = try ConnectionHarness()
        harness.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        let ids = harness.responses().compactMap { $0.headers["x-request-id"] }
        #expect(ids.count == 2 && Set(ids).count == 2)
        #expect(ids.allSatisfy { RequestID.accepted($0) == $0 }, "a made id passes the server's own check")
    }

    @Test func aRefusal_CarriesAnIDToo() throws {
        let harness = try ConnectionHarness()
        harness.send("GARBAGE\r\n\r\n")
        let response = try #require(harness.responses().first)
        #expect(response.status == 400 && response.headers["x-request-id"]?.hasPrefix(RequestID.processPrefix) == true)
    }
}
