import HTTP1
import Testing

/// A well-formed wire message and the requests it must produce.
struct ValidCase: Sendable, CustomTestStringConvertible {
    var name: String
    var wire: String
    var expected: [HTTPRequest]
    var testDescription: String { name }
}

private let validCases: [ValidCase] = [
    ValidCase(name: "GET", wire: "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", expected: [request(.GET, "/")]),
    ValidCase(
        name: "GET with query, duplicate headers and OWS",
        wire: "GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nAccept:  text/plain \t\r\naccept:application/json\r\n\r\n",
        expected: [
            request(.GET, "/a/b?x=1&y=2", headers: [("Host", "example.com"), ("Accept", "text/plain"), ("accept", "application/json")])
        ]
    ),
    ValidCase(
        name: "POST with Content-Length",
        wire: "POST /classify HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\n\r\nhello world",
        expected: [request(.POST, "/classify", headers: [("Host", "example.com"), ("Content-Length", "11")], body: "hello world")]
    ),
    ValidCase(
        name: "duplicate Content-Length values that agree",
        wire: "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc",
        expected: [
            request(.POST, "/", headers: [("Host", "example.com"), ("Content-Length", "3, 3"), ("Content-Length", "3")], body: "abc")
        ]
    ),
    ValidCase(
        name: "chunked with extensions and trailers",
        wire: "POST /up HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\nA ; x=\"q\"\r\n, world!!!\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n",
        expected: [
            request(.POST, "/up", headers: [("Host", "example.com"), ("Transfer-Encoding", "Chunked")], body: "hello, world!!!")
        ]
    ),
    ValidCase(
        name: "pipelined GET, POST and chunked POST",
        wire: "GET /1 HTTP/1.1\r\nHost: example.com\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 4\r\n\r\nbody"
            + "POST /3 HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        expected: [
            request(.GET, "/1"),
            request(.POST, "/2", headers: [("Host", "example.com"), ("Content-Length", "4")], body: "body"),
            request(.POST, "/3", headers: [("Host", "example.com"), ("Transfer-Encoding", "chunked")], body: "abc"),
        ]
    ),
    ValidCase(name: "HEAD", wire: "HEAD /healthz HTTP/1.1\r\nHost: example.com\r\n\r\n", expected: [request(.HEAD, "/healthz")]),
    ValidCase(
        name: "HTTP/1.0 without Host",
        wire: "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        expected: [request(.GET, "/old", version: .http1_0, headers: [("Connection", "keep-alive")])]
    ),
    ValidCase(
        name: "Expect 100-continue",
        wire: "POST /e HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
        expected: [
            request(.POST, "/e", headers: [("Host", "example.com"), ("Expect", "100-continue"), ("Content-Length", "2")], body: "ok")
        ]
    ),
    ValidCase(
        name: "empty lines before the request line",
        wire: "\r\n\r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        expected: [request(.GET, "/")]
    ),
    ValidCase(
        name: "Content-Length zero and body bytes with CRLF",
        wire: "PUT /z HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n"
            + "PATCH /b HTTP/1.1\r\nHost: example.com\r\nContent-Length: 6\r\n\r\n\r\n\r\n\r\n",
        expected: [
            request(.PUT, "/z", headers: [("Host", "example.com"), ("Content-Length", "0")]),
            request(.PATCH, "/b", headers: [("Host", "example.com"), ("Content-Length", "6")], body: "\r\n\r\n\r\n"),
        ]
    ),
    ValidCase(
        name: "higher HTTP/1.x minor version and asterisk-form",
        wire: "OPTIONS * HTTP/1.2\r\nHost: example.com\r\n\r\n",
        expected: [request(.OPTIONS, "*", version: HTTPVersion(major: 1, minor: 2))]
    ),
]

@Suite("RequestParser: valid requests")
struct RequestParserTests {
    @Test("same requests whatever the split", arguments: validCases, Split.all)
    func requests_AreIdentical_WhateverTheSplit(_ testCase: ValidCase, split: Split) {
        let outcome = parse(testCase.wire, split: split)
        #expect(outcome.error == nil)
        #expect(outcome.requests == testCase.expected)
        #expect(outcome.leftover == 0)
    }

    @Test("continueExpected comes at most once, right before its request", arguments: validCases, Split.all)
    func continueExpected_PrecedesItsRequest(_ testCase: ValidCase, split: Split) {
        let events = parse(testCase.wire, split: split).events
        for (index, event) in events.enumerated() {
            guard case .continueExpected(let head) = event else { continue }
            #expect(head.expectsContinue)
            #expect(events.indices.contains(index + 1) && events[index + 1] == .request(HTTPRequest(head: head, body: Array("ok".utf8))))
        }
    }

    @Test func continueExpected_IsEmitted_WhenBodyHasNotArrived() throws {
        var parser = RequestParser()
        parser.append(Array("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        let head = HTTPRequestHead(
            method: .POST, target: "/e", headers: [("Host", "a"), ("Expect", "100-continue"), ("Content-Length", "2")].headers)
        #expect(try parser.next() == .continueExpected(head))
        #expect(try parser.next() == nil)
        parser.append(Array("ok".utf8))
        #expect(try parser.next() == .request(HTTPRequest(head: head, body: Array("ok".utf8))))
        #expect(try parser.next() == nil)
    }

    @Test func continueExpected_IsEmitted_ForChunkedBody() throws {
        var parser = RequestParser()
        parser.append(Array("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        guard case .continueExpected = try parser.next() else {
            Issue.record("expected continueExpected")
            return
        }
        parser.append(Array("1\r\nx\r\n0\r\n\r\n".utf8))
        guard case .request(let request) = try parser.next() else {
            Issue.record("expected a request")
            return
        }
        #expect(request.body == [UInt8(ascii: "x")])
    }

    @Test func expectation_IsIgnored_ForHTTP10() throws {
        var parser = RequestParser()
        parser.append(Array("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n".utf8))
        #expect(try parser.next() == nil)
        #expect(parser.isReadingHead == false)
    }

    @Test func buffer_StaysSmall_WhenManyRequestsArePipelined() throws {
        var parser = RequestParser()
        let one = Array("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc".utf8)
        var count = 0
        for _ in 0..<2000 {
            parser.append(one)
            while case .request = try parser.next() { count += 1 }
        }
        #expect(count == 2000)
        #expect(parser.bufferedByteCount == 0)
        #expect(parser.isIdle)
    }

    @Test func state_IsReported_ForTimeouts() throws {
        var parser = RequestParser()
        #expect(parser.isIdle && parser.isReadingHead)
        parser.append(Array("GET / HT".utf8))
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle && parser.isReadingHead)
        parser.append(Array("TP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab".utf8))
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle && !parser.isReadingHead)
    }

    @Test func body_AtExactlyTheLimit_IsAccepted() throws {
        let limits = HTTPLimits(maxBodyBytes: 8)
        let fixed = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n12345678", limits: limits)
        #expect(fixed.error == nil && fixed.requests.count == 1)
        let chunked = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n1234\r\n4\r\n5678\r\n0\r\n\r\n", limits: limits)
        #expect(chunked.error == nil && chunked.requests.first?.body == Array("12345678".utf8))
    }
}

extension Array where Element == (String, String) {
    var headers: HTTPHeaders { HTTPHeaders(self) }
}
