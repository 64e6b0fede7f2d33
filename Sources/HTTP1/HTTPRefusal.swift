/// Why the server answered a request itself instead of handing it to the ``HTTPHandler``: the
/// events the handler renders with ``HTTPHandler/response(for:)``.
///
/// The server's own refusals (`malformed`, the timeouts, `tooManyConnections`) close the connection after the
/// answer. The content-coding refusals come from ``ContentCodingHandler`` once the whole request has been read, so
/// the connection's framing is intact and it stays open.
package enum HTTPRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not a request this server accepts, or exceed a limit (see ``HTTPParseError``).
    case malformed(HTTPParseError)
    /// The request head did not arrive within the header read timeout.
    case headTimeout
    /// The request body did not arrive within the body read timeout.
    case bodyTimeout
    /// The server holds its maximum number of connections; this one is answered and closed at once.
    case tooManyConnections
    /// A limit was exceeded, named with its value so the message can say it (413, 431 or 408). The server reports
    /// the bare events above; ``LimitNamingHandler``, which is given the configured limits, names them.
    case limitExceeded(HTTPLimit)
    /// A `Content-Encoding` this server does not decode, as received: 415 with `Accept-Encoding` (RFC 9110 §15.5.16).
    case unsupportedContentEncoding(String)
    /// A body that does not decode under its `Content-Encoding`: 400, with the reason.
    case invalidCompressedBody(String)

    /// The response status.
    package var status: HTTPStatus {
        switch self {
        case .malformed(let error): error.status
        // RFC 9110 §15.5.9: 408 tells the client the server closed an unused or too slow connection.
        case .headTimeout, .bodyTimeout: .requestTimeout
        case .tooManyConnections: .serviceUnavailable
        case .limitExceeded(let limit): limit.status
        case .unsupportedContentEncoding: .unsupportedMediaType
        case .invalidCompressedBody: .badRequest
        }
    }

    /// A short message safe to show to clients.
    package var message: String {
        switch self {
        case .malformed(let error): error.message
        case .headTimeout: "Request head not received in time."
        case .bodyTimeout: "Request body not received in time."
        case .tooManyConnections: "Too many connections."
        case .limitExceeded(let limit): limit.message
        case .unsupportedContentEncoding(let coding):
            "Content-Encoding \(coding) is not supported; send one of: \(ContentCoding.acceptedInRequests)."
        case .invalidCompressedBody(let reason): "The request body does not decode as its Content-Encoding says: \(reason)."
        }
    }

    /// Header fields the answer carries: `Accept-Encoding` on a 415 for a content coding, none otherwise.
    package var headers: HTTPHeaders {
        switch self {
        case .unsupportedContentEncoding: ["Accept-Encoding": ContentCoding.acceptedInRequests]
        default: [:]
        }
    }

    /// The same refusal with the limit it reports named, where it reports one (a size limit or a timeout), using the
    /// configured values; any other refusal unchanged.
    package func namingLimit(_ limits: HTTPLimits, headerReadTimeout: Duration, bodyReadTimeout: Duration) -> HTTPRefusal {
        switch self {
        case .malformed(.bodyTooLarge): .limitExceeded(.bodyBytes(limits.maxBodyBytes))
        case .malformed(.requestLineTooLong): .limitExceeded(.requestLineBytes(limits.maxRequestLineBytes))
        case .malformed(.headersTooLarge): .limitExceeded(.headerBytes(limits.maxHeaderBytes))
        case .malformed(.tooManyHeaders): .limitExceeded(.headerCount(limits.maxHeaderCount))
        case .headTimeout: .limitExceeded(.headTimeout(headerReadTimeout))
        case .bodyTimeout: .limitExceeded(.bodyTimeout(bodyReadTimeout))
        default: self
        }
    }

    package var description: String { "\(status.code): \(message)" }
}

/// A limit a request exceeded, with its configured value.
package enum HTTPLimit: Hashable, Sendable {
    /// The body, as sent, is over ``HTTPLimits/maxBodyBytes`` (413).
    case bodyBytes(Int)
    /// The body, once its content coding is undone, is over ``HTTPLimits/maxBodyBytes`` (413).
    case decodedBodyBytes(Int)
    /// The request line is over ``HTTPLimits/maxRequestLineBytes`` (431).
    case requestLineBytes(Int)
    /// The head, or a chunked body's trailers, are over ``HTTPLimits/maxHeaderBytes`` (431).
    case headerBytes(Int)
    /// More header (or trailer) lines than ``HTTPLimits/maxHeaderCount`` (431).
    case headerCount(Int)
    /// The head did not arrive within the header read timeout (408).
    case headTimeout(Duration)
    /// The body did not arrive within the body read timeout (408).
    case bodyTimeout(Duration)

    /// The response status.
    package var status: HTTPStatus {
        switch self {
        case .bodyBytes, .decodedBodyBytes: .contentTooLarge
        case .requestLineBytes, .headerBytes, .headerCount: .requestHeaderFieldsTooLarge
        case .headTimeout, .bodyTimeout: .requestTimeout
        }
    }

    /// A short message naming the limit and its value.
    package var message: String {
        switch self {
        case .bodyBytes(let limit): "Request body larger than the limit of \(limit) bytes."
        case .decodedBodyBytes(let limit): "Request body larger than the limit of \(limit) bytes once decompressed."
        case .requestLineBytes(let limit): "Request line longer than the limit of \(limit) bytes."
        case .headerBytes(let limit): "Request header section larger than the limit of \(limit) bytes."
        case .headerCount(let limit): "More header fields than the limit of \(limit)."
        case .headTimeout(let limit): "Request head not received within the limit of \(Self.text(limit))."
        case .bodyTimeout(let limit): "Request body not received within the limit of \(Self.text(limit))."
        }
    }

    /// `250 ms`, `10 s`: whole seconds when the duration is, else whole milliseconds.
    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        guard attoseconds != 0 else { return "\(seconds) s" }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }
}
