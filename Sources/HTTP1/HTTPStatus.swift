/// An HTTP response status: a three-digit code and its reason phrase (RFC 9110 §15).
public struct HTTPStatus: Hashable, Sendable, CustomStringConvertible {
    /// The three-digit status code, for example `200`.
    public let code: Int
    /// The reason phrase written on the status line, for example `"OK"`.
    public let reasonPhrase: String

    /// Creates a status with an explicit reason phrase.
    public init(code: Int, reasonPhrase: String) {
        self.code = code
        self.reasonPhrase = reasonPhrase
    }

    /// Creates a status with the standard reason phrase for `code`, or an empty phrase for unknown codes.
    public init(code: Int) {
        self.init(code: code, reasonPhrase: Self.standardPhrases[code] ?? "")
    }

    /// Whether the code is 1xx, 204 or 304, the statuses whose responses never carry content (RFC 9110 §6.4.1).
    public var forbidsContent: Bool {
        (100..<200).contains(code) || code == 204 || code == 304
    }

    public var description: String { "\(code) \(reasonPhrase)" }

    /// `100 Continue`: the client may send the request content.
    public static let `continue` = HTTPStatus(code: 100)
    /// `200 OK`.
    public static let ok = HTTPStatus(code: 200)
    /// `201 Created`.
    public static let created = HTTPStatus(code: 201)
    /// `202 Accepted`.
    public static let accepted = HTTPStatus(code: 202)
    /// `204 No Content`: the response has no content and no `Content-Length`.
    public static let noContent = HTTPStatus(code: 204)
    /// `304 Not Modified`.
    public static let notModified = HTTPStatus(code: 304)
    /// `400 Bad Request`: a malformed request.
    public static let badRequest = HTTPStatus(code: 400)
    /// `404 Not Found`.
    public static let notFound = HTTPStatus(code: 404)
    /// `405 Method Not Allowed`.
    public static let methodNotAllowed = HTTPStatus(code: 405)
    /// `408 Request Timeout`: the request head did not arrive in time.
    public static let requestTimeout = HTTPStatus(code: 408)
    /// `411 Length Required`.
    public static let lengthRequired = HTTPStatus(code: 411)
    /// `413 Content Too Large`: the request body exceeds ``HTTPLimits/maxBodyBytes``.
    public static let contentTooLarge = HTTPStatus(code: 413)
    /// `414 URI Too Long`.
    public static let uriTooLong = HTTPStatus(code: 414)
    /// `415 Unsupported Media Type`.
    public static let unsupportedMediaType = HTTPStatus(code: 415)
    /// `417 Expectation Failed`: an `Expect` value other than `100-continue`.
    public static let expectationFailed = HTTPStatus(code: 417)
    /// `422 Unprocessable Content`.
    public static let unprocessableContent = HTTPStatus(code: 422)
    /// `429 Too Many Requests`.
    public static let tooManyRequests = HTTPStatus(code: 429)
    /// `431 Request Header Fields Too Large`: the head exceeds one of the ``HTTPLimits``.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431)
    /// `500 Internal Server Error`.
    public static let internalServerError = HTTPStatus(code: 500)
    /// `501 Not Implemented`: for example a transfer coding other than `chunked`.
    public static let notImplemented = HTTPStatus(code: 501)
    /// `503 Service Unavailable`.
    public static let serviceUnavailable = HTTPStatus(code: 503)
    /// `504 Gateway Timeout`.
    public static let gatewayTimeout = HTTPStatus(code: 504)
    /// `505 HTTP Version Not Supported`: a major version other than 1.
    public static let httpVersionNotSupported = HTTPStatus(code: 505)

    private static let standardPhrases: [Int: String] = [
        100: "Continue", 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 304: "Not Modified",
        400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 411: "Length Required",
        413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 417: "Expectation Failed",
        422: "Unprocessable Content", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
        500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable", 504: "Gateway Timeout",
        505: "HTTP Version Not Supported",
    ]
}
