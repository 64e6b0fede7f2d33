import HTTP1
import TestSupport
import Testing

/// A malformed wire message, the error it must raise and the status that error maps to.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var wire: [UInt8]
    var error: HTTPParseError
    var status: Int
    var limits = HTTPLimits()
    var testDescription: String { name }

    init(_ name: String, _ wire: String, _ error: HTTPParseError, _ status: Int, limits: HTTPLimits = HTTPLimits()) {
        self.init(name, Array(wire.utf8), error, status, limits: limits)
    }

    init(_ name: String, _ wire: [UInt8], _ error: HTTPParseError, _ status: Int, limits: HTTPLimits = HTTPLimits()) {
        self.name = name
        self.wire = wire
        self.error = error
        self.status = status
        self.limits = limits
    }
}

private let post = "POST / HTTP/1.1\r\nHost: a\r\n"
private let chunkedPost = post + "Transfer-Encoding: chunked\r\n\r\n"

/// Malformed requests other than the framing rules, which have their own table in FramingRules.swift.
private let malformedCases: [MalformedCase] = [
    // Content-Length (RFC 9110 §8.6).
    MalformedCase("CL letters", post + "Content-Length: abc\r\n\r\n", .invalidContentLength, 400),
    MalformedCase("CL negative", post + "Content-Length: -1\r\n\r\n", .invalidContentLength, 400),
    MalformedCase("CL plus sign", post + "Content-Length: +5\r\n\r\n", .invalidContentLength, 400),
    MalformedCase("CL hex", post + "Content-Length: 0x10\r\n\r\n", .invalidContentLength, 400),
    MalformedCase("CL inner space", post + "Content-Length: 1 2\r\n\r\n", .invalidContentLength, 400),
    MalformedCase("CL empty", post + "Content-Length: \r\n\r\n", .invalidContentLength, 400),
    MalformedCase("CL disagreeing lines", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", .invalidContentLength, 400),
    MalformedCase("CL disagreeing list", post + "Content-Length: 5, 6\r\n\r\n", .invalidContentLength, 400),
    MalformedCase("CL overflow", post + "Content-Length: 99999999999999999999999\r\n\r\n", .invalidContentLength, 400),
    MalformedCase("CL over limit", post + "Content-Length: 1048577\r\n\r\n", .bodyTooLarge, 413),
    // Chunked bodies (RFC 9112 §7.1).
    MalformedCase("chunk size negative", chunkedPost + "-5\r\nhello\r\n0\r\n\r\n", .invalidChunk, 400),
    MalformedCase("chunk size missing", chunkedPost + "\r\n", .invalidChunk, 400),
    MalformedCase("chunk size not hex", chunkedPost + "zz\r\n", .invalidChunk, 400),
    MalformedCase("chunk size overflow", chunkedPost + "fffffffffffffffff\r\n", .invalidChunk, 400),
    MalformedCase("chunk size junk after", chunkedPost + "5 x\r\nhello\r\n", .invalidChunk, 400),
    MalformedCase("chunk data without CRLF", chunkedPost + "5\r\nhelloXX\r\n0\r\n\r\n", .invalidChunk, 400),
    MalformedCase("chunk over limit", chunkedPost + "100001\r\n", .bodyTooLarge, 413),
    MalformedCase(
        "chunks over limit in total", chunkedPost + "6\r\nabcdef\r\n6\r\nabcdef\r\n", .bodyTooLarge, 413, limits: HTTPLimits(maxBodyBytes: 10)),
    MalformedCase("chunk line too long", chunkedPost + "5;" + String(repeating: "x", count: 5000) + "\r\n", .invalidChunk, 400),
    MalformedCase(
        "trailers too large", chunkedPost + "0\r\nX-T: " + String(repeating: "a", count: 200) + "\r\n\r\n", .headersTooLarge, 431,
        limits: HTTPLimits(maxHeaderBytes: 100)),
    MalformedCase(
        "too many trailers", chunkedPost + "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", .tooManyHeaders, 431, limits: HTTPLimits(maxHeaderCount: 2)),
    // Limits on the head.
    MalformedCase(
        "header too large", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: 17_000) + "\r\n\r\n", .headersTooLarge, 431),
    MalformedCase("request line too long", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n\r\n", .requestLineTooLong, 431),
    MalformedCase("too many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + (1...100).map { "X-\($0): v\r\n" }.joined() + "\r\n", .tooManyHeaders, 431),
    // Request line and version (RFC 9112 §3, §2.3).
    MalformedCase("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
    MalformedCase("HTTP/3.1", "GET / HTTP/3.1\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
    MalformedCase("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", .unsupportedVersion, 505),
    MalformedCase("version junk", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
    MalformedCase("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
    MalformedCase("garbage", "hello\r\n\r\n", .invalidRequestLine, 400),
    MalformedCase("double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
    MalformedCase("missing version", "GET /\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
    MalformedCase("control in target", "GET /\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
    // Fields (RFC 9112 §5).
    MalformedCase("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", .invalidHeaderName, 400),
    MalformedCase("empty name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", .invalidHeaderName, 400),
    MalformedCase("name not a token", "GET / HTTP/1.1\r\nHost: a\r\nX(A): v\r\n\r\n", .invalidHeaderName, 400),
    MalformedCase("line without colon", "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", .invalidHeaderName, 400),
    MalformedCase("NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{0}c\r\n\r\n", .invalidHeaderValue, 400),
    MalformedCase("DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{7F}\r\n\r\n", .invalidHeaderValue, 400),
    MalformedCase("missing Host", "GET / HTTP/1.1\r\n\r\n", .invalidHost, 400),
    MalformedCase("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .invalidHost, 400),
    MalformedCase("Host list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", .invalidHost, 400),
    // Expectations (RFC 9110 §10.1.1).
    MalformedCase("unknown expectation", post + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation, 417),
]

@Suite("RequestParser: malformed requests")
struct MalformedRequestTests {
    @Test("rejects with the specific error and status", arguments: malformedCases, [Split.whole, .oneByOne, .random(seed: 7)])
    func malformedRequest_IsRejected(_ testCase: MalformedCase, split: Split) {
        let outcome = parse(testCase.wire, split: split, limits: testCase.limits)
        #expect(outcome.error == testCase.error)
        #expect(outcome.error?.status.code == testCase.status)
        #expect(outcome.requests.isEmpty)
    }

    @Test func error_IsSticky() throws {
        var parser = RequestParser()
        parser.append(Array("GET / HTTP/9.9\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.unsupportedVersion) { try parser.next() }
        #expect(throws: HTTPParseError.unsupportedVersion) { try parser.next() }
    }

    @Test func requestBeforeTheBadOne_IsStillReturned() throws {
        var parser = RequestParser()
        parser.append(Array("GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\nHost : a\r\n\r\n".utf8))
        #expect(try parser.next() == .request(request(.GET, "/ok", headers: [("Host", "a")])))
        #expect(throws: HTTPParseError.invalidHeaderName) { try parser.next() }
    }

    @Test func randomBytes_NeverCrash() {
        var generator = SplitMix64(seed: 2024)
        for _ in 0..<300 {
            let length = Int.random(in: 0...200, using: &generator)
            var bytes = Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            bytes += (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = parse(bytes, split: .random(seed: generator.next()))
        }
    }

    @Test("every error has a status and a message", arguments: Set(malformedCases.map(\.error) + framingRules.compactMap(\.refusal)))
    func error_HasStatusAndMessage(_ error: HTTPParseError) {
        #expect([400, 413, 417, 431, 501, 505].contains(error.status.code))
        #expect(!error.message.isEmpty)
    }
}
