/// A response to write: status, headers and the whole body.
///
/// Framing headers (`Content-Length`, `Transfer-Encoding`, `Connection`, `Date`) are owned by ``ResponseEncoder``,
/// which drops any set here and writes its own.
package struct HTTPResponse: Sendable, Equatable {
    /// The status line's code and reason phrase.
    package var status: HTTPStatus
    /// Header fields written after the ones the encoder generates.
    package var headers: HTTPHeaders
    /// The body bytes; not written for `HEAD` requests or bodiless statuses.
    package var body: [UInt8]

    /// Creates a response.
    package init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Creates a response with a `Content-Type` header and a byte body, with room for a few more
    /// headers: one allocation for the headers where a literal and a later `add` take three.
    package init(status: HTTPStatus = .ok, contentType: String, body: [UInt8]) {
        var headers = HTTPHeaders()
        headers.reserveCapacity(4)
        headers.add(name: "Content-Type", value: contentType)
        self.init(status: status, headers: headers, body: body)
    }

    /// Creates a `text/plain; charset=utf-8` response from a string.
    package init(status: HTTPStatus = .ok, text: String) {
        self.init(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}
