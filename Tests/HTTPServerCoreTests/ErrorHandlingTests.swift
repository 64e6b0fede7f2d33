import HTTP1
import HTTPServerCore
import TestSupport
import Testing

@Suite("HTTPServer: malformed requests, limits and timeouts", .serialized)
struct ErrorHandlingTests {
    @Test(
        "refuses with the handler's rendering of the refusal and closes",
        arguments: [
            ("GARBAGE\r\n\r\n", HTTPParseError.invalidRequestLine),
            ("GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "a", count: 600))\r\n\r\n", .headersTooLarge),
            ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n", .bodyTooLarge),
            ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", .conflictingFraming),
            ("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding),
            ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", .unsupportedVersion),
            ("GET / HTTP/1.1\r\nHost: t\r\n\nGET /text HTTP/1.1\r\nHost: t\r\n\r\n", .invalidLineEnding),
            ("PURGE / HTTP/1.1\r\nHost: t\r\n\r\n", .unknownMethod),
            ("GET http://other/ HTTP/1.1\r\nHost: t\r\n\r\n", .conflictingHost),
        ]
    )
    func malformedRequest_IsRefused(wire: String, error: HTTPParseError) throws {
        var configuration = HTTPServer.Configuration()
        configuration.limits = HTTPLimits(maxHeaderBytes: 512, maxBodyBytes: 1000)
        try withServer(configuration) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(wire)
            let response = try client.readResponse()
            #expect(response.status == error.status.code)
            #expect(response.header("Content-Type") == "text/x-refusal")
            #expect(response.header("Connection") == "close")
            #expect(response.text == "refused: \(HTTPRefusal.malformed(error))")
            #expect(client.isClosedByServer())
        }
    }

    @Test func requestBeforeAMalformedOne_IsStillAnswered() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET /delay?ms=100 HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost : t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(try client.readResponse().status == 400)
            #expect(client.isClosedByServer())
        }
    }

    /// The one timeout test on the real clock, to show that the loop's timers fire at all; the timeouts' rules are
    /// tested on a socketpair with a clock the test moves (ConnectionTimeoutTests, ConnectionTimerTests).
    @Test func headerReadTimeout_OnTheRealClock_Answers408AndCloses() throws {
        var configuration = HTTPServer.Configuration()
        configuration.headerReadTimeout = .milliseconds(20)
        try withServer(configuration) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET /text HT")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(response.text == "refused: \(HTTPRefusal.headTimeout)")
            #expect(client.isClosedByServer())
        }
    }

    @Test func slowClient_DoesNotDelayOthers() throws {
        try withServer { _, port in
            let slow = try RawHTTPClient(port: port)
            try slow.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
            let clock = ContinuousClock()
            let start = clock.now
            for index in 0..<20 {
                let client = try RawHTTPClient(port: port, timeout: .seconds(2))
                try client.send("GET /echo?i=\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().header("X-Target") == "/echo?i=\(index)")
            }
            #expect(start.duration(to: clock.now) < .seconds(2))
            try slow.send("defghij")
            #expect(try slow.readResponse().text == "abcdefghij")
        }
    }
}
