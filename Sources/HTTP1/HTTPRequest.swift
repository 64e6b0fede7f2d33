/// A complete request: its head and its whole body, already de-chunked.
public struct HTTPRequest: Sendable, Equatable {
    /// The request line and headers.
    public var head: HTTPRequestHead
    /// The body bytes; empty when the request had none.
    public var body: [UInt8]

    /// Creates a request from a head and a body.
    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    /// Creates a request from its parts, mainly for tests and handlers that build requests directly.
    public init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = [:],
        body: [UInt8] = []
    ) {
        self.init(head: HTTPRequestHead(method: method, target: target, version: version, headers: headers), body: body)
    }

    /// The request method.
    public var method: HTTPMethod { head.method }
    /// The target without its query string.
    public var path: String { head.path }
    /// The query string after `?`, if any.
    public var query: String? { head.query }
    /// The header fields.
    public var headers: HTTPHeaders { head.headers }
}
