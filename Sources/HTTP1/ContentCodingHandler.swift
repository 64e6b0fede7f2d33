/// Content codings (RFC 9110 §8.4) in front of an application's ``HTTPHandler``: it decodes `gzip` and `deflate`
/// request bodies before the application sees them, and gzips large responses for clients that accept it.
///
/// Requests: a body whose `Content-Encoding` is `gzip`, `x-gzip` or `deflate` is decoded with
/// ``ZlibCodec/decode(_:coding:limit:)``, the limit on the *decoded* size being ``Configuration/maxDecodedBodyBytes``
/// (the server's `maxBodyBytes` already bounds the bytes as sent). The application then sees the decoded body and no
/// `Content-Encoding` field. `identity` (and an empty list) passes unchanged. Other codings, or more than one, are
/// refused with 415 and `Accept-Encoding`; a body that does not decode with 400; one that decodes past the limit with
/// 413. Each refusal is rendered by the application's ``HTTPHandler/response(for:)``; the connection stays open,
/// since the request was read whole.
///
/// Responses: one whose body has at least ``Configuration/minimumCompressedBytes`` bytes and a textual type (JSON,
/// `text/*`, XML, JavaScript) carries `Vary: Accept-Encoding`, and is gzipped when the request's `Accept-Encoding`
/// prefers gzip (``AcceptEncoding/prefersGzip(_:)``) and compression makes it smaller. Smaller responses are
/// sent as they are: the threshold's reason is in ``Configuration/minimumCompressedBytes``.
///
/// Threading: as the ``HTTPHandler`` it wraps. Decoding runs in ``handle(_:context:respond:)`` on the I/O thread
/// (bounded by the limit: about a millisecond per MiB); compression runs wherever the application calls `respond`.
package struct ContentCodingHandler: HTTPHandler {
    /// What the handler decodes and compresses.
    package struct Configuration: Sendable {
        /// Largest request body once decoded; beyond it 413. Default: 1,048,576 (1 MiB), as ``HTTPLimits/maxBodyBytes``,
        /// which a server should pass here so that one limit holds for bodies sent plain or compressed.
        package var maxDecodedBodyBytes: Int
        /// Smallest response body that is compressed. Default: 1,024 bytes. Below it a response, with its ~150-byte head,
        /// fits in one TCP segment (1,460 payload bytes on Ethernet) already, so compressing it saves no packet, only
        /// costs CPU and gzip's 18 bytes of framing. One `/classify` result (~200 bytes) stays plain; batches of more
        /// than about six results, the model list and `/metrics` are compressed.
        package var minimumCompressedBytes: Int
        /// zlib compression level, 1 (fastest) to 9 (smallest). Default: 1, as nginx's `gzip_comp_level`: the server
        /// spends its CPU on forward passes, and JSON compresses well already at level 1.
        package var compressionLevel: Int32

        /// Creates a configuration; every argument defaults to the documented value.
        package init(maxDecodedBodyBytes: Int = 1024 * 1024, minimumCompressedBytes: Int = 1024, compressionLevel: Int32 = 1) {
            self.maxDecodedBodyBytes = maxDecodedBodyBytes
            self.minimumCompressedBytes = minimumCompressedBytes
            self.compressionLevel = compressionLevel
        }
    }

    private let inner: any HTTPHandler
    private let configuration: Configuration

    /// Wraps `inner`, which then sees decoded request bodies and whose responses are compressed as described above.
    package init(_ inner: any HTTPHandler, configuration: Configuration = Configuration()) {
        self.inner = inner
        self.configuration = configuration
    }

    package func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        // One pass over the fields; no allocation unless a coding field is present.
        var contentEncoding: [String]?
        var acceptEncoding: [String]?
        for (name, value) in request.headers {
            switch name.utf8.count {
            case 16 where ASCII.equalsIgnoringCase(name, "Content-Encoding"): contentEncoding = (contentEncoding ?? []) + [value]
            case 15 where ASCII.equalsIgnoringCase(name, "Accept-Encoding"): acceptEncoding = (acceptEncoding ?? []) + [value]
            default: continue
            }
        }
        let compression = ResponseCompression(
            prefersGzip: acceptEncoding.map(AcceptEncoding.prefersGzip) ?? false, configuration: configuration)
        let encodingRespond: @Sendable (HTTPResponse) -> Void = { respond(compression.apply(to: $0)) }
        guard let contentEncoding else {
            return inner.handle(request, context: context, respond: encodingRespond)
        }
        var decoded = request
        decoded.head.headers.remove(name: "Content-Encoding")
        switch ContentCoding.requestDecoding(contentEncoding) {
        case .identity:
            break
        case .unsupported(let coding):
            return respond(inner.response(for: .unsupportedContentEncoding(coding)))
        case .decode(let coding):
            do throws(ZlibCodec.DecodingError) {
                decoded.body = try ZlibCodec.decode(request.body, coding: coding, limit: configuration.maxDecodedBodyBytes)
            } catch {
                switch error {
                case .tooLarge(let limit): return respond(inner.response(for: .limitExceeded(.decodedBodyBytes(limit))))
                case .corrupt(let reason): return respond(inner.response(for: .invalidCompressedBody(reason)))
                }
            }
            if decoded.head.headers.contains("Content-Length") {
                decoded.head.headers.replaceOrAdd(name: "Content-Length", value: String(decoded.body.count))
            }
        }
        inner.handle(decoded, context: context, respond: encodingRespond)
    }

    package func roundEnded() {
        inner.roundEnded()
    }

    package func response(for refusal: HTTPRefusal) -> HTTPResponse {
        inner.response(for: refusal)
    }
}

/// How one request's responses are content-coded: ``ContentCodingHandler``'s response side.
struct ResponseCompression: Sendable {
    /// Whether the request's `Accept-Encoding` prefers gzip.
    let prefersGzip: Bool
    let configuration: ContentCodingHandler.Configuration

    /// `response`, with `Vary: Accept-Encoding` if its coding depends on the request, gzipped if the client prefers it.
    func apply(to response: HTTPResponse) -> HTTPResponse {
        guard response.body.count >= configuration.minimumCompressedBytes, !response.status.forbidsContent,
            !response.headers.contains("Content-Encoding"), Self.isCompressible(response.headers["Content-Type"])
        else { return response }
        var response = response
        if !response.headers.containsToken("Accept-Encoding", in: "Vary") {
            response.headers.add(name: "Vary", value: "Accept-Encoding")
        }
        guard prefersGzip, let compressed = ZlibCodec.gzip(response.body, level: configuration.compressionLevel),
            compressed.count < response.body.count
        else { return response }
        response.body = compressed
        response.headers.add(name: "Content-Encoding", value: "gzip")
        return response
    }

    /// Whether a media type is text that compresses: `text/*`, JSON, XML and JavaScript, with or without parameters.
    static func isCompressible(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = ASCII.trimmingWhitespace(contentType.prefix { $0 != ";" }).lowercased()
        return mediaType.hasPrefix("text/") || mediaType.hasSuffix("/json") || mediaType.hasSuffix("+json") || mediaType.hasSuffix("/xml")
            || mediaType.hasSuffix("+xml") || mediaType == "application/javascript"
    }
}
