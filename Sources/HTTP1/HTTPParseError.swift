/// Why the ``RequestParser`` rejected a request. Each case maps to one status in ``status``.
///
/// After any of these the connection cannot be resynchronised: the server answers and closes it.
package enum HTTPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The request line is not `method SP request-target SP HTTP-version`.
    case invalidRequestLine
    /// The request line exceeds ``HTTPLimits/maxRequestLineBytes``.
    case requestLineTooLong
    /// A well-formed method token that is not one of ``HTTPMethod/known``, such as `PURGE` or `CONNECT`.
    case unknownMethod
    /// A request-target in none of the forms this server accepts: origin-form, `http` absolute-form, or `*` for OPTIONS.
    case invalidRequestTarget
    /// A well-formed version other than HTTP/1.x, such as `HTTP/2.0`.
    case unsupportedVersion
    /// The head exceeds ``HTTPLimits/maxHeaderBytes``, or a chunked body's trailers do.
    case headersTooLarge
    /// More than ``HTTPLimits/maxHeaderCount`` header (or trailer) lines.
    case tooManyHeaders
    /// A field name that is not a token, or whitespace before the colon.
    case invalidHeaderName
    /// A field value with a control character, or a field line without a colon.
    case invalidHeaderValue
    /// A header line starting with whitespace (obsolete line folding).
    case obsoleteLineFolding
    /// A CR not followed by LF, or an LF not preceded by CR, in the head or in chunked framing.
    case invalidLineEnding
    /// An HTTP/1.1 request without exactly one valid `Host` header.
    case invalidHost
    /// An absolute-form target whose authority differs from the `Host` header.
    case conflictingHost
    /// A `Content-Length` that is not all digits, overflows, or disagrees with another one.
    case invalidContentLength
    /// Both `Content-Length` and `Transfer-Encoding`, or `Transfer-Encoding` in an HTTP/1.0 request.
    case conflictingFraming
    /// `chunked` repeated or not the final transfer coding.
    case invalidTransferEncoding
    /// A transfer coding other than `chunked`.
    case unsupportedTransferEncoding
    /// A malformed chunk-size line or chunk extension, an overflowing chunk size, or chunk data not followed by CRLF.
    case invalidChunk
    /// The body exceeds ``HTTPLimits/maxBodyBytes``.
    case bodyTooLarge
    /// An `Expect` value other than `100-continue`.
    case unsupportedExpectation

    /// The response status for this error: the one place parser errors map to HTTP statuses.
    package var status: HTTPStatus {
        switch self {
        case .requestLineTooLong, .headersTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedVersion: .httpVersionNotSupported
        case .unknownMethod, .unsupportedTransferEncoding: .notImplemented
        case .unsupportedExpectation: .expectationFailed
        case .invalidRequestLine, .invalidRequestTarget, .invalidHeaderName, .invalidHeaderValue, .obsoleteLineFolding, .invalidLineEnding,
            .invalidHost, .conflictingHost, .invalidContentLength, .conflictingFraming, .invalidTransferEncoding, .invalidChunk:
            .badRequest
        }
    }

    /// A short, stable message safe to show to clients.
    package var message: String {
        switch self {
        case .invalidRequestLine: "Malformed request line."
        case .requestLineTooLong: "Request line too long."
        case .unknownMethod: "Method not implemented."
        case .invalidRequestTarget: "Invalid request target."
        case .unsupportedVersion: "HTTP version not supported."
        case .headersTooLarge: "Request header section too large."
        case .tooManyHeaders: "Too many header fields."
        case .invalidHeaderName: "Invalid header field name."
        case .invalidHeaderValue: "Invalid header field value."
        case .obsoleteLineFolding: "Obsolete header line folding is not allowed."
        case .invalidLineEnding: "Invalid line ending."
        case .invalidHost: "Missing or invalid Host header."
        case .conflictingHost: "Request target and Host header name different hosts."
        case .invalidContentLength: "Invalid Content-Length."
        case .conflictingFraming: "Conflicting message framing headers."
        case .invalidTransferEncoding: "Invalid Transfer-Encoding."
        case .unsupportedTransferEncoding: "Transfer coding not implemented."
        case .invalidChunk: "Malformed chunked body."
        case .bodyTooLarge: "Request body too large."
        case .unsupportedExpectation: "Only the 100-continue expectation is supported."
        }
    }

    package var description: String { "\(status.code): \(message)" }
}
