import Foundation
import Glibc
import HTTP1
import HTTPServerCore
import InferenceAPI
import TestSupport
import Testing

extension EndToEnd {
    /// Issue 19 point 5: compressed request bodies and gzip responses, through the real server and service, wired
    /// as `lstm-serve` wires them (limit naming, then content codings, then the service).
    @Suite("Content codings")
    struct ContentCodingTests {
        /// The service behind the handlers `lstm-serve` puts in front of it, on a live server with `http`'s limits.
        static func run<T>(http: HTTPServer.Configuration = .init(), _ body: (LiveServer) throws -> T) throws -> T {
            let service = EndToEnd.service()
            let handler = LimitNamingHandler(
                ContentCodingHandler(service, configuration: .init(maxDecodedBodyBytes: http.limits.maxBodyBytes)),
                limits: http.limits, headerReadTimeout: http.headerReadTimeout, bodyReadTimeout: http.bodyReadTimeout)
            return try withLiveServer(http, handler: handler) { try body(LiveServer(server: $0, service: service)) }
        }

        /// The wire bytes of `POST /classify` with `body` and extra header lines.
        static func classify(_ body: [UInt8], headers: [String]) -> [UInt8] {
            let head = (["POST /classify HTTP/1.1", "Host: e2e", "Content-Type: application/json"] + headers).joined(separator: "\r\n")
            let framing = headers.contains { $0.lowercased().hasPrefix("transfer-encoding") } ? "" : "Content-Length: \(body.count)\r\n"
            return Array((head + "\r\n" + framing + "\r\n").utf8) + body
        }

        /// 24 reviews in one request: about 2 KB, and about 2.4 KB of results, above the compression threshold.
        static let batch = Array((#"{"texts": ["# + Fixtures.reviews.prefix(24).map(RawHTTPClient.jsonString).joined(separator: ", ") + "]}").utf8)

        @Test(arguments: CompressionFormat.allCases)
        func aCompressedBody_IsClassifiedAsThePlainOne(format: CompressionFormat) throws {
            try Self.run { server in
                let client = try server.connect()
                try client.send(Self.classify(Self.batch, headers: []))
                let plain = try client.readResponse()
                try client.send(Self.classify(compress(Self.batch, format), headers: ["Content-Encoding: \(format.contentEncoding)"]))
                let decoded = try client.readResponse()
                #expect(plain.status == 200)
                #expect(decoded.status == 200, "\(decoded.text)")
                #expect(decoded.rawNumbers(for: "score") == plain.rawNumbers(for: "score"))
                #expect(decoded.rawNumbers(for: "score").count == 24)
            }
        }

        @Test func aChunkedGzipBody_IsDecodedAfterDechunking() throws {
            try Self.run { server in
                let compressed = compress(Self.batch, .gzip)
                let half = compressed.count / 2
                var chunked: [UInt8] = []
                for part in [compressed[..<half], compressed[half...]] {
                    chunked += Array((String(part.count, radix: 16) + "\r\n").utf8) + part + Array("\r\n".utf8)
                }
                chunked += Array("0\r\n\r\n".utf8)
                let response = try server.connect().sent(
                    Self.classify(chunked, headers: ["Transfer-Encoding: chunked", "Content-Encoding: gzip"])
                )
                .readResponse()
                #expect(response.status == 200, "\(response.text)")
                #expect(response.rawNumbers(for: "score").count == 24)
            }
        }

        @Test func anUnsupportedCoding_Is415_AndTheConnectionServesTheNextRequest() throws {
            try Self.run { server in
                let client = try server.connect()
                try client.send(Self.classify(Self.batch, headers: ["Content-Encoding: br"]))
                let refused = try client.readResponse()
                #expect(refused.status == 415)
                #expect(refused.errorCode == "unsupported_encoding")
                #expect(refused.header("Accept-Encoding") == "gzip, deflate, identity")
                #expect(refused.header("Connection") == nil)
                try client.send(Self.classify(Self.batch, headers: ["Content-Encoding: gzip, gzip"]))
                #expect(try client.readResponse().status == 415)
                try client.send(Self.classify(compress(Self.batch, .gzip), headers: ["Content-Encoding: x-gzip"]))
                #expect(try client.readResponse().status == 200)
            }
        }

        @Test func corruptOrTruncatedData_Is400() throws {
            try Self.run { server in
                let client = try server.connect()
                try client.send(Self.classify(Array(compress(Self.batch, .gzip).dropLast(10)), headers: ["Content-Encoding: gzip"]))
                let truncated = try client.readResponse()
                #expect(truncated.status == 400)
                #expect(truncated.errorCode == "invalid_request")
                #expect(truncated.text.contains("ends early"))
                try client.send(Self.classify(Self.batch, headers: ["Content-Encoding: deflate"]))
                #expect(try client.readResponse().status == 400)
            }
        }

        @Test func theLimit_AppliesToTheDecodedBody_AtAndOverIt() throws {
            var http = HTTPServer.Configuration()
            http.limits.maxBodyBytes = Self.batch.count
            try Self.run(http: http) { server in
                let client = try server.connect()
                try client.send(Self.classify(compress(Self.batch, .gzip), headers: ["Content-Encoding: gzip"]))
                #expect(try client.readResponse().status == 200)
                let padded = Self.batch + [UInt8(ascii: " ")]
                try client.send(Self.classify(compress(padded, .gzip), headers: ["Content-Encoding: gzip"]))
                let refused = try client.readResponse()
                #expect(refused.status == 413)
                #expect(refused.errorCode == "payload_too_large")
                #expect(refused.text.contains("the limit of \(Self.batch.count) bytes once decompressed"))
                // Sent plain, the same body is over the limit as it arrives: the server refuses it and closes.
                let plain = try server.connect().sent(Self.classify(padded, headers: [])).readResponse()
                #expect(plain.status == 413)
                #expect(plain.text.contains("Request body larger than the limit of \(Self.batch.count) bytes."))
            }
        }

        @Test func aLargeResponse_IsGzipped_ForAClientThatAcceptsIt() throws {
            try Self.run { server in
                let client = try server.connect()
                try client.send(Self.classify(Self.batch, headers: []))
                let plain = try client.readResponse()
                try client.send(Self.classify(Self.batch, headers: ["Accept-Encoding: gzip, deflate, br"]))
                let compressed = try client.readResponse()
                #expect(plain.header("Content-Encoding") == nil)
                #expect(plain.header("Vary") == "Accept-Encoding")
                #expect(compressed.header("Content-Encoding") == "gzip")
                #expect(compressed.header("Vary") == "Accept-Encoding")
                #expect(compressed.body.count < plain.body.count / 2)
                #expect(gunzip(compressed.body) == plain.body)
                // One result is below the threshold: plain, and nothing varies.
                try client.send(RawHTTPClient.classify(#"{"text": "fine"}"#, headers: ["Accept-Encoding: gzip"]))
                let small = try client.readResponse()
                #expect(small.header("Content-Encoding") == nil)
                #expect(small.header("Vary") == nil)
            }
        }
    }
}

extension RawHTTPClient {
    /// Sends `bytes` and returns the client, to read the answer: `try client.sent(bytes).readResponse()`.
    func sent(_ bytes: [UInt8]) throws -> RawHTTPClient {
        try send(bytes)
        return self
    }
}
