/// An HTTP response status: a three-digit code and its reason phrase (RFC 9110 §15).
package struct HTTPStatus: Hashable, Sendable, CustomStringConvertible {
    /// The three-digit status code, for example `200`.
    package let code: Int
    /// The reason phrase written on the status line, for example `"OK"`.
    package let reasonPhrase: String

    /// Creates a status with an explicit reason phrase.
    package init(code: Int, reasonPhrase: String) {
        self.code = code
        self.reasonPhrase = reasonPhrase
    }

    /// Creates a status with the standard reason phrase for `code`, or an empty phrase for unknown codes.
    package init(code: Int) {
        self.init(code: code, reasonPhrase: Self.standardPhrases[code] ?? "")
    }

    /// Whether the code is 1xx, 204 or 304, the statuses whose responses never carry content (RFC 9110 §6.4.1).
    package var forbidsContent: Bool {
        (100..<200).contains(code) || code == 204 || code == 304
    }

    package var description: String { "\(code) \(reasonPhrase)" }

    /// `100 Continue`: the client may send the request content.
    package static let `continue` = HTTPStatus(code: 100)
    /// `200 OK`.
    package static let ok = HTTPStatus(code: 200)
    /// `201 Created`.
    package static let created = HTTPStatus(code: 201)
    /// `202 Accepted`.
    package static let accepted = HTTPStatus(code: 202)
    /// `204 No Content`: the response has no content and no `Content-Length`.
    package static let noContent = HTTPStatus(code: 204)
    /// `304 Not Modified`.
    package static let notModified = HTTPStatus(code: 304)
    /// `400 Bad Request`: a malformed request.
    package static let badRequest = HTTPStatus(code: 400)
    /// `404 Not Found`.
    package static let notFound = HTTPStatus(code: 404)
    /// `405 Method Not Allowed`.
    package static let methodNotAllowed = HTTPStatus(code: 405)
    /// `408 Request Timeout`: the request head did not arrive in time.
    package static let requestTimeout = HTTPStatus(code: 408)
    /// `411 Length Required`.
    package static let lengthRequired = HTTPStatus(code: 411)
    /// `413 Content Too Large`: the request body exceeds ``HTTPLimits/maxBodyBytes``.
    package static let contentTooLarge = HTTPStatus(code: 413)
    /// `414 URI Too Long`.
    package static let uriTooLong = HTTPStatus(code: 414)
    /// `415 Unsupported Media Type`.
    package static let unsupportedMediaType = HTTPStatus(code: 415)
    /// `417 Expectation Failed`: an `Expect` value other than `100-continue`.
    package static let expectationFailed = HTTPStatus(code: 417)
    /// `422 Unprocessable Content`.
    package static let unprocessableContent = HTTPStatus(code: 422)
    /// `429 Too Many Requests`.
    package static let tooManyRequests = HTTPStatus(code: 429)
    /// `431 Request Header Fields Too Large`: the head exceeds one of the ``HTTPLimits``.
    package static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431)
    /// `500 Internal Server Error`.
    package static let internalServerError = HTTPStatus(code: 500)
    /// `501 Not Implemented`: for example a transfer coding other than `chunked`.
    package static let notImplemented = HTTPStatus(code: 501)
    /// `503 Service Unavailable`.
    package static let serviceUnavailable = HTTPStatus(code: 503)
    /// `504 Gateway Timeout`.
    package static let gatewayTimeout = HTTPStatus(code: 504)
    /// `505 HTTP Version Not Supported`: a major version other than 1.
    package static let httpVersionNotSupported = HTTPStatus(code: 505)

    private static let standardPhrases: [Int: String] = [
        100: "Continue", 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 304: "Not Modified",
        400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 411: "Length Required",
        413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 417: "Expectation Failed",
        422: "Unprocessable Content", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
        500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable", 504: "Gateway Timeout",
        505: "HTTP Version Not Supported",
    ]
}
