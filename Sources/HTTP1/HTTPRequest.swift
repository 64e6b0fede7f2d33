/// A complete request: its head and its whole body, already de-chunked.
package struct HTTPRequest: Sendable, Equatable {
    /// The request line and headers.
    package var head: HTTPRequestHead
    /// The body bytes; empty when the request had none.
    package var body: [UInt8]

    /// Creates a request from a head and a body.
    package init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    /// Creates a request from its parts, mainly for tests and handlers that build requests directly.
    package init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = [:],
        body: [UInt8] = []
    ) {
        self.init(head: HTTPRequestHead(method: method, target: target, version: version, headers: headers), body: body)
    }

    /// The request method.
    package var method: HTTPMethod { head.method }
    /// The target's path without its query string; for an absolute-form target, the path after its authority.
    package var path: String { head.path }
    /// The query string after `?`, if any.
    package var query: String? { head.query }
    /// The header fields.
    package var headers: HTTPHeaders { head.headers }
}
