import Dispatch
import Glibc
import HTTP1
import TestSupport
import Testing

@testable import HTTPServerCore

@Suite("HTTPServer: connection behaviour", .serialized)
struct ConnectionBehaviourTests {
    @Test func getAndPost_RoundTrip() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
            let get = try client.readResponse()
            #expect(get.status == 200 && get.text == "hello")
            #expect(get.header("Date")?.hasSuffix(" GMT") == true)
            try client.send("POST /echo?x=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde")
            let post = try client.readResponse()
            #expect(post.status == 200 && post.text == "abcde")
            #expect(post.header("X-Target") == "/echo?x=1")
        }
    }

    @Test func keepAlive_ServesTwoRequestsOnOneConnection() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            for path in ["/text", "/missing"] {
                try client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.header("Connection") == nil)
            }
        }
    }

    @Test func connectionClose_ClosesAfterTheResponse() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET /text HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200 && response.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func http10_ClosesUnlessKeepAliveIsRequested() throws {
        try withServer { _, port in
            let plain = try RawHTTPClient(port: port)
            try plain.send("GET /text HTTP/1.0\r\n\r\n")
            #expect(try plain.readResponse().header("Connection") == "close")
            #expect(plain.isClosedByServer())

            let kept = try RawHTTPClient(port: port)
            for _ in 0..<2 {
                try kept.send("GET /text HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                #expect(try kept.readResponse().header("Connection") == "keep-alive")
            }
        }
    }

    @Test func pipelinedRequests_AnsweredOutOfOrder_AreWrittenInOrder() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(["300", "100", "0"].map { "GET /delay?ms=\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined())
            let bodies = try (0..<3).map { _ in try client.readResponse().text }
            #expect(bodies == ["/delay?ms=300", "/delay?ms=100", "/delay?ms=0"])
        }
    }

    @Test func chunkedBody_IsDechunked() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n")
            #expect(try client.readResponse().text == "Wikipedia")
        }
    }

    @Test func expectContinue_Sends100BeforeTheBody() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            let interim = try client.readResponse(skipInterim: false)
            #expect(interim.status == 100)
            try client.send("body")
            let final = try client.readResponse()
            #expect(final.status == 200 && final.text == "body")
        }
    }

    @Test func expectContinue_WithOversizedBody_Gets413WithoutReading() throws {
        var configuration = HTTPServer.Configuration()
        configuration.limits.maxBodyBytes = 10
        try withServer(configuration) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413 && response.header("Connection") == "close")
            #expect(response.text == "refused: \(HTTPRefusal.malformed(.bodyTooLarge))")
            #expect(client.isClosedByServer())
        }
    }

    @Test func head_HasContentLength_ButNoBody() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("HEAD /text HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try client.readResponse(bodyless: true)
            #expect(head.status == 200 && head.header("Content-Length") == "5" && head.body.isEmpty)
            // A stray body would be read as the start of this response.
            try client.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func largeBodies_AreReadAndWrittenCompletely() throws {
        try withServer { server, port in
            let client = try RawHTTPClient(port: port)
            // Two 4 MB responses overflow the socket buffer, so the server must resume when the socket is writable.
            try client.send("GET /big?n=4000000 HTTP/1.1\r\nHost: t\r\n\r\nGET /big?n=4000001 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(server.waitUntilAConnectionWaitsToWrite(), "the responses never filled the socket")
            for count in [4_000_000, 4_000_001] {
                let response = try client.readResponse()
                #expect(response.body.count == count)
                #expect(response.body.last == UInt8(ascii: "a") + UInt8((count - 1) % 26))
            }
            let body = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
            try client.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            #expect(try client.readResponse().body == body)
        }
    }
}

extension HTTPServer {
    /// Blocks until one of the server's connections holds response bytes its socket would not take, or 5 s pass;
    /// returns whether that happened. Asks each connection on its own loop thread.
    fileprivate func waitUntilAConnectionWaitsToWrite() -> Bool {
        final class Answer: @unchecked Sendable {  // written on a loop thread before `done` is signalled, read after
            var waitsToWrite = false
            let done = DispatchSemaphore(value: 0)
        }
        // Nothing signals a full socket buffer, so this polls, bounded.
        return poll(every: .milliseconds(1), for: .seconds(5)) {
            openConnections.contains { connection in
                let answer = Answer()
                connection.loop.execute {
                    answer.waitsToWrite = connection.pendingWriteBytes > 0
                    answer.done.signal()
                }
                return answer.done.wait(timeout: .now() + 5) == .success && answer.waitsToWrite
            }
        }
    }
}
