import HTTP1
import HTTPServerCore
import TestSupport
import Testing

extension EndToEnd {
    /// Item 1: requests the server refuses before the service sees them answer with a JSON error and close.
    @Suite("Protocol errors")
    struct ProtocolErrorTests {
        /// Bytes the server cannot accept as a request.
        struct Case: Sendable, CustomTestStringConvertible {
            let name: String
            let bytes: String
            let status: Int
            let code: String

            var testDescription: String { name }
        }

        /// Head limit of the server the table runs against.
        static let maxHeaderBytes = 1_024

        static let cases: [Case] = [
            Case(name: "garbage instead of a request line is 400", bytes: "GARBAGE\r\n\r\n", status: 400, code: "invalid_request"),
            Case(name: "a request line without a version is 400", bytes: "GET /healthz\r\nHost: e2e\r\n\r\n", status: 400, code: "invalid_request"),
            Case(
                name: "a request line with a bad version is 400", bytes: "GET /healthz HTTP/x\r\nHost: e2e\r\n\r\n", status: 400,
                code: "invalid_request"),
            // RFC 9112 §2.2: strict line endings; the request hidden behind the bare LF gets no answer of its own.
            Case(
                name: "a bare LF is 400 and the request behind it is not answered",
                bytes: "GET /healthz HTTP/1.1\r\nHost: e2e\r\n\nGET /v1/models HTTP/1.1\r\nHost: e2e\r\n\r\n", status: 400,
                code: "invalid_request"),
            // RFC 9110 §9.1: a method the server does not know is 501, not a 404 from the router.
            Case(name: "an unknown method is 501", bytes: "PURGE /healthz HTTP/1.1\r\nHost: e2e\r\n\r\n", status: 501, code: "not_implemented"),
            Case(
                name: "a head over the header limit is 431",
                bytes: "GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Padding: \(String(repeating: "p", count: 2 * maxHeaderBytes))\r\n\r\n", status: 431,
                code: "headers_too_large"),
            Case(
                name: "many small headers over the header limit are 431",
                bytes: "GET /healthz HTTP/1.1\r\nHost: e2e\r\n" + (0..<100).map { "X-Header-\($0): value\r\n" }.joined() + "\r\n", status: 431,
                code: "headers_too_large"),
        ]

        @Test(arguments: cases)
        func theServerAnswersWithTheErrorAndClosesTheConnection(_ testCase: Case) throws {
            var http = HTTPServer.Configuration()
            http.limits.maxHeaderBytes = Self.maxHeaderBytes
            try LiveServer.run(http: http) { server in
                let client = try server.connect()
                let response = try client.exchange(testCase.bytes)
                #expect(response.status == testCase.status)
                #expect(response.errorCode == testCase.code)
                #expect(response.header("Connection") == "close")
                #expect(client.isClosedByServer())
            }
        }

        @Test func aHeadNotCompletedInTimeIs408AndTheConnectionCloses() throws {
            var http = HTTPServer.Configuration()
            http.headerReadTimeout = .milliseconds(300)
            try LiveServer.run(http: http) { server in
                let client = try server.connect()
                let started = ContinuousClock.now
                try client.send("GET /healthz HTTP/1.1\r\nHost: e2e\r\n")
                let response = try client.readResponse()
                let elapsed = ContinuousClock.now - started
                #expect(response.status == 408)
                #expect(response.errorCode == "request_timeout")
                #expect(response.header("Connection") == "close")
                #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(3))
                #expect(client.isClosedByServer())
            }
        }

        @Test func aConnectionThatSendsNothingIs408() throws {
            var http = HTTPServer.Configuration()
            http.headerReadTimeout = .milliseconds(200)
            try LiveServer.run(http: http) { server in
                let client = try server.connect()
                let response = try client.readResponse()
                #expect(response.status == 408)
                #expect(client.isClosedByServer())
            }
        }
    }
}
