import HTTP1
import Locking
import TestSupport
import Testing

/// `Content-Encoding` and `Accept-Encoding` as RFC 9110 §8.4 and §12.5.3 read them.
@Suite struct ContentCodingTests {
    @Test(arguments: [
        ([], ContentCoding.RequestDecoding.identity),
        (["identity"], .identity),
        ([""], .identity),
        (["gzip"], .decode(.gzip)),
        (["GZip"], .decode(.gzip)),
        (["x-gzip"], .decode(.gzip)),
        (["deflate"], .decode(.deflate)),
        (["identity, gzip"], .decode(.gzip)),
        (["gzip", "identity"], .decode(.gzip)),
        ([" , deflate ,"], .decode(.deflate)),
        (["br"], .unsupported("br")),
        (["compress"], .unsupported("compress")),
        (["gzip, gzip"], .unsupported("gzip, gzip")),
        (["gzip", "deflate"], .unsupported("gzip, deflate")),
        (["gzip, br"], .unsupported("gzip, br")),
    ])
    func contentEncoding_ListsOneCodingToUndo(values: [String], expected: ContentCoding.RequestDecoding) {
        #expect(ContentCoding.requestDecoding(values) == expected)
    }

    @Test(arguments: [
        ([], false),
        (["gzip"], true),
        (["x-gzip"], true),
        (["GZIP;Q=0.8"], true),
        (["gzip, deflate, br"], true),
        (["deflate", "gzip"], true),
        (["gzip;q=0"], false),
        (["gzip;q=0.000"], false),
        (["gzip ; q=0.001"], true),
        (["*"], true),
        (["*;q=0"], false),
        (["*;q=0, identity"], false),
        (["identity"], false),
        (["deflate, br"], false),
        ([""], false),
        (["gzip;q=0.5, identity"], false),
        (["gzip;q=0.5, identity;q=0.4"], true),
        (["gzip;q=0.5, identity;q=0.5"], true),
        (["identity;q=0, gzip"], true),
        (["identity;q=0"], false),
        (["*;q=0.2, gzip;q=0"], false),
        (["br;q=1, *;q=0.1"], true),
        (["gzip;q=1.5"], false),
        (["gzip;q=abc"], false),
        (["gzip;q=0.5;level=1"], true),
    ])
    func acceptEncoding_PrefersGzip_WhenItOutweighsIdentity(values: [String], expected: Bool) {
        #expect(AcceptEncoding.prefersGzip(values) == expected, "\(values)")
    }

    @Test(
        arguments: [
            ("0", 0), ("1", 1000), ("0.5", 500), ("0.25", 250), ("0.123", 123), ("1.000", 1000), ("0.", 0), ("1.", 1000),
            ("1.001", nil), ("0.1234", nil), ("2", nil), ("", nil), (".5", nil), ("0,5", nil), ("-0", nil),
        ] as [(String, Int?)])
    func qvalue_IsThreeDecimalsAtMostOne(text: String, thousandths: Int?) {
        #expect(AcceptEncoding.qvalue(Substring(text)) == thousandths)
    }
}

/// ``ZlibCodec``: bodies made by zlib's deflate, in every format a client sends, decoded within a limit.
@Suite struct ZlibCodecTests {
    static let text = Array(String(repeating: "A wonderful, moving film. The acting is superb. ", count: 40).utf8)

    static func coding(of format: CompressionFormat) -> ContentCoding { format == .gzip ? .gzip : .deflate }

    @Test(arguments: CompressionFormat.allCases)
    func everyFormat_DecodesToTheOriginal(format: CompressionFormat) throws {
        let body = compress(Self.text, format)
        #expect(try ZlibCodec.decode(body, coding: Self.coding(of: format), limit: 1 << 20) == Self.text)
    }

    @Test(arguments: CompressionFormat.allCases)
    func aBodyOfExactlyTheLimit_Decodes_AndOneByteMore_IsTooLarge(format: CompressionFormat) throws {
        let body = compress(Self.text, format)
        let coding = Self.coding(of: format)
        #expect(try ZlibCodec.decode(body, coding: coding, limit: Self.text.count) == Self.text)
        #expect(throws: ZlibCodec.DecodingError.tooLarge(limit: Self.text.count - 1)) {
            try ZlibCodec.decode(body, coding: coding, limit: Self.text.count - 1)
        }
    }

    @Test func aBomb_StopsAtTheLimit() throws {
        // 256 MiB of zeros in about 256 KB; decoding stops after the limit's first byte over.
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var bomb: [UInt8] = []
        for _ in 0..<256 { bomb += compress(zeros, .gzip, level: 9) }
        #expect(bomb.count < 300_000)
        let started = ContinuousClock.now
        #expect(throws: ZlibCodec.DecodingError.tooLarge(limit: 1 << 20)) { try ZlibCodec.decode(bomb, coding: .gzip, limit: 1 << 20) }
        #expect(ContinuousClock.now - started < .seconds(5), "decoding went on past the limit")
    }

    @Test func anUnboundedLimit_NeitherTrapsNorReservesIt() throws {
        #expect(try ZlibCodec.decode(compress(Self.text, .gzip), coding: .gzip, limit: .max) == Self.text)
    }

    @Test func concatenatedGzipMembers_AreOneBody() throws {
        let first = Array("{\"text\": \"first half, ".utf8)
        let second = Array("second half\"}".utf8)
        let body = compress(first, .gzip) + compress(second, .gzip)
        #expect(try ZlibCodec.decode(body, coding: .gzip, limit: 1 << 20) == first + second)
    }

    @Test func anEmptyBody_IsEmpty() throws {
        #expect(try ZlibCodec.decode([], coding: .gzip, limit: 10) == [])
    }

    @Test(arguments: CompressionFormat.allCases)
    func aTruncatedBody_IsCorrupt(format: CompressionFormat) throws {
        let body = compress(Self.text, format)
        for cut in [1, 4, body.count / 2] {
            #expect(throws: ZlibCodec.DecodingError.self, "cut \(cut)") {
                try ZlibCodec.decode(Array(body.dropLast(cut)), coding: Self.coding(of: format), limit: 1 << 20)
            }
        }
    }

    @Test func aGzipChecksumMismatch_IsCorrupt() throws {
        var body = compress(Self.text, .gzip)
        body[body.count - 8] ^= 0xFF  // the CRC-32 in the trailer
        #expect(throws: ZlibCodec.DecodingError.corrupt("the compressed data is invalid (incorrect data check)")) {
            try ZlibCodec.decode(body, coding: .gzip, limit: 1 << 20)
        }
    }

    @Test func bytesAfterAZlibStream_AreCorrupt() throws {
        let body = compress(Self.text, .zlib) + [0x00]
        #expect(throws: ZlibCodec.DecodingError.corrupt("bytes follow the end of the compressed data")) {
            try ZlibCodec.decode(body, coding: .deflate, limit: 1 << 20)
        }
    }

    @Test func bytesAfterAGzipMember_ThatAreNoMember_AreCorrupt() throws {
        let body = compress(Self.text, .gzip) + Array("trailing".utf8)
        #expect(throws: ZlibCodec.DecodingError.self) { try ZlibCodec.decode(body, coding: .gzip, limit: 1 << 20) }
    }

    @Test(arguments: [Array("{\"text\": \"plain JSON\"}".utf8), [0x1F, 0x8B], [0xFF, 0xFF, 0xFF, 0xFF]])
    func bytesThatAreNotGzip_AreCorrupt(body: [UInt8]) throws {
        #expect(throws: ZlibCodec.DecodingError.self) { try ZlibCodec.decode(body, coding: .gzip, limit: 1 << 20) }
    }

    @Test func gzip_RoundTripsThroughZlib() throws {
        let compressed = try #require(ZlibCodec.gzip(Self.text, level: 1))
        #expect(compressed.count < Self.text.count / 10)
        #expect(gunzip(compressed) == Self.text)
        #expect(ZlibCodec.gzip([], level: 1).flatMap { gunzip($0) } == [])
    }
}

/// ``ContentCodingHandler`` in front of a handler that records what it is given.
@Suite struct ContentCodingHandlerTests {
    /// Records the requests it gets; answers `/big` with 2,000 bytes of JSON-typed text, anything else with `ok`,
    /// in the content type of the `X-Type` request header if there is one.
    final class Recorder: HTTPHandler {
        let requests = Lock<[HTTPRequest]>([])

        func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
            requests.withLock { $0.append(request) }
            let body = request.path == "/big" ? Array(String(repeating: "[0.5, 0.25]", count: 182).utf8) : Array("ok".utf8)
            var response = HTTPResponse(status: .ok, contentType: request.headers["X-Type"] ?? "application/json", body: body)
            if let coding = request.headers["X-Response-Coding"] { response.headers.add(name: "Content-Encoding", value: coding) }
            respond(response)
        }
    }

    static let context = RequestContext(remoteAddress: "test", connectionID: 1, receivedAt: .now)

    /// The response `handler` gives `request`, and the request its inner handler saw (if any).
    static func exchange(
        _ request: HTTPRequest, configuration: ContentCodingHandler.Configuration = .init()
    ) -> (response: HTTPResponse?, seen: HTTPRequest?) {
        let recorder = Recorder()
        let response = Lock<HTTPResponse?>(nil)
        ContentCodingHandler(recorder, configuration: configuration).handle(request, context: context) { answer in
            response.withLock { $0 = answer }
        }
        return (response.withLock { $0 }, recorder.requests.withLock { $0.first })
    }

    static func post(_ body: [UInt8], headers: [(String, String)]) -> HTTPRequest {
        HTTPRequest(method: .POST, target: "/classify", headers: HTTPHeaders([("Host", "t")] + headers), body: body)
    }

    @Test(arguments: CompressionFormat.allCases)
    func aCompressedBody_ReachesTheHandlerDecoded_WithoutItsCoding(format: CompressionFormat) throws {
        let json = Array(#"{"text": "A wonderful, moving film."}"#.utf8)
        let body = compress(json, format)
        let request = Self.post(
            body, headers: [("Content-Type", "application/json"), ("Content-Encoding", format.contentEncoding), ("Content-Length", "\(body.count)")])
        let (response, seen) = Self.exchange(request)
        #expect(response?.status == .ok)
        #expect(seen?.body == json)
        #expect(seen?.headers.contains("Content-Encoding") == false)
        #expect(seen?.headers["Content-Length"] == "\(json.count)")
        #expect(seen?.headers["Content-Type"] == "application/json")
    }

    @Test func anIdentityBody_PassesUnchanged() {
        let body = Array("{}".utf8)
        let (response, seen) = Self.exchange(Self.post(body, headers: [("Content-Encoding", "identity")]))
        #expect(response?.status == .ok)
        #expect(seen?.body == body)
    }

    @Test func anUnsupportedCoding_Is415_WithAcceptEncoding_AndNeverReachesTheHandler() throws {
        let (response, seen) = Self.exchange(Self.post(Array("{}".utf8), headers: [("Content-Encoding", "br")]))
        let answer = try #require(response)
        #expect(answer.status == .unsupportedMediaType)
        #expect(answer.headers["Accept-Encoding"] == "gzip, deflate, identity")
        #expect(String(decoding: answer.body, as: UTF8.self).contains("Content-Encoding br is not supported"))
        #expect(seen == nil)
    }

    @Test func corruptData_Is400_NamingTheReason() throws {
        var body = compress(Array("{}".utf8), .gzip)
        body.removeLast(3)
        let (response, seen) = Self.exchange(Self.post(body, headers: [("Content-Encoding", "gzip")]))
        let answer = try #require(response)
        #expect(answer.status == .badRequest)
        #expect(String(decoding: answer.body, as: UTF8.self).contains("ends early"))
        #expect(seen == nil)
    }

    @Test func aBodyDecodingToTheLimit_IsServed_AndOneByteMore_Is413NamingTheLimit() throws {
        let json = Array(("{\"text\": \"" + String(repeating: "a", count: 990) + "\"}").utf8)
        let body = compress(json, .gzip)
        let atLimit = Self.exchange(Self.post(body, headers: [("Content-Encoding", "gzip")]), configuration: .init(maxDecodedBodyBytes: json.count))
        #expect(atLimit.response?.status == .ok)
        #expect(atLimit.seen?.body == json)

        let over = Self.exchange(Self.post(body, headers: [("Content-Encoding", "gzip")]), configuration: .init(maxDecodedBodyBytes: json.count - 1))
        let answer = try #require(over.response)
        #expect(answer.status == .contentTooLarge)
        #expect(String(decoding: answer.body, as: UTF8.self).contains("limit of \(json.count - 1) bytes once decompressed"))
        #expect(over.seen == nil)
    }

    static func get(_ path: String, _ headers: [(String, String)] = []) -> HTTPRequest {
        HTTPRequest(method: .GET, target: path, headers: HTTPHeaders([("Host", "t")] + headers))
    }

    @Test func aLargeResponse_IsGzipped_ForAClientThatAcceptsIt_WithVary() throws {
        let plain = try #require(Self.exchange(Self.get("/big")).response)
        let compressed = try #require(Self.exchange(Self.get("/big", [("Accept-Encoding", "gzip, deflate")])).response)
        #expect(compressed.headers["Content-Encoding"] == "gzip")
        #expect(compressed.headers["Vary"] == "Accept-Encoding")
        #expect(compressed.body.count < plain.body.count)
        #expect(gunzip(compressed.body) == plain.body)
    }

    @Test(arguments: [[], [("Accept-Encoding", "identity")], [("Accept-Encoding", "gzip;q=0")], [("Accept-Encoding", "gzip;q=0.1, identity")]])
    func aLargeResponse_ForAClientThatDoesNotPreferGzip_IsPlain_WithVary(headers: [(String, String)]) throws {
        let response = try #require(Self.exchange(Self.get("/big", headers)).response)
        #expect(response.headers["Content-Encoding"] == nil)
        #expect(response.headers["Vary"] == "Accept-Encoding")
        #expect(response.body.count == 2002)
    }

    @Test func aSmallResponse_IsPlain_WithoutVary() throws {
        let response = try #require(Self.exchange(Self.get("/small", [("Accept-Encoding", "gzip")])).response)
        #expect(response.headers["Content-Encoding"] == nil)
        #expect(response.headers["Vary"] == nil)
        #expect(response.body == Array("ok".utf8))
    }

    @Test func theThreshold_IsInclusive() throws {
        let at = Self.exchange(Self.get("/big", [("Accept-Encoding", "gzip")]), configuration: .init(minimumCompressedBytes: 2002))
        #expect(at.response?.headers["Content-Encoding"] == "gzip")
        let below = Self.exchange(Self.get("/big", [("Accept-Encoding", "gzip")]), configuration: .init(minimumCompressedBytes: 2003))
        #expect(below.response?.headers["Content-Encoding"] == nil)
        #expect(below.response?.headers["Vary"] == nil)
    }

    @Test(arguments: ["application/octet-stream", "image/png"])
    func aLargeResponse_OfABinaryType_IsPlain_WithoutVary(type: String) throws {
        let response = try #require(Self.exchange(Self.get("/big", [("Accept-Encoding", "gzip"), ("X-Type", type)])).response)
        #expect(response.headers["Content-Encoding"] == nil)
        #expect(response.headers["Vary"] == nil)
    }

    @Test(arguments: ["text/plain; version=0.0.4; charset=utf-8", "text/html", "application/problem+json", "Application/JSON"])
    func aLargeResponse_OfATextualType_IsCompressed(type: String) throws {
        let response = try #require(Self.exchange(Self.get("/big", [("Accept-Encoding", "gzip"), ("X-Type", type)])).response)
        #expect(response.headers["Content-Encoding"] == "gzip")
    }

    @Test func aResponseAlreadyContentCoded_IsLeftAlone() throws {
        let response = try #require(Self.exchange(Self.get("/big", [("Accept-Encoding", "gzip"), ("X-Response-Coding", "br")])).response)
        #expect(response.headers.values("Content-Encoding") == ["br"])
        #expect(response.headers["Vary"] == nil)
    }
}

/// ``LimitNamingHandler`` and ``HTTPRefusal/namingLimit(_:headerReadTimeout:bodyReadTimeout:)``.
@Suite struct LimitNamingTests {
    static let limits = HTTPLimits(maxRequestLineBytes: 100, maxHeaderBytes: 2000, maxHeaderCount: 30, maxBodyBytes: 4096)

    @Test(arguments: [
        (HTTPRefusal.malformed(.bodyTooLarge), 413, "Request body larger than the limit of 4096 bytes."),
        (.malformed(.requestLineTooLong), 431, "Request line longer than the limit of 100 bytes."),
        (.malformed(.headersTooLarge), 431, "Request header section larger than the limit of 2000 bytes."),
        (.malformed(.tooManyHeaders), 431, "More header fields than the limit of 30."),
        (.headTimeout, 408, "Request head not received within the limit of 250 ms."),
        (.bodyTimeout, 408, "Request body not received within the limit of 30 s."),
        (.malformed(.invalidChunk), 400, "Malformed chunked body."),
        (.tooManyConnections, 503, "Too many connections."),
    ])
    func aLimitRefusal_NamesTheConfiguredValue_AndKeepsItsStatus(refusal: HTTPRefusal, status: Int, message: String) {
        let handler = LimitNamingHandler(
            DefaultRefusals(), limits: Self.limits, headerReadTimeout: .milliseconds(250), bodyReadTimeout: .seconds(30))
        let response = handler.response(for: refusal)
        #expect(response.status.code == status)
        #expect(response.status == refusal.status)
        #expect(String(decoding: response.body, as: UTF8.self) == message + "\n")
    }

    /// A handler with the protocol's default refusal rendering.
    struct DefaultRefusals: HTTPHandler {
        func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {}
    }
}
