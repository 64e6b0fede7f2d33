/// The request line and header fields of a request (RFC 9112 §3 and §5).
package struct HTTPRequestHead: Sendable, Equatable {
    /// The request method, for example ``HTTPMethod/POST``.
    package var method: HTTPMethod
    /// The request-target exactly as sent: usually origin-form such as `/classify?verbose=1`; absolute-form such as
    /// `http://example.com/classify` (RFC 9112 §3.2.2); or `*` for a server-wide `OPTIONS`.
    package var target: String
    /// The protocol version from the request line.
    package var version: HTTPVersion
    /// The header fields in arrival order, duplicates kept.
    package var headers: HTTPHeaders

    /// Creates a request head.
    package init(method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:]) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The target without its query, for example `/classify` for `/classify?verbose=1` and for
    /// `http://example.com/classify?verbose=1`. Routes match on this, whatever the form of the target.
    package var path: String {
        guard let pathAndQuery = RequestTarget.pathAndQuery(ofAbsoluteForm: target) else {
            guard let mark = target.utf8.firstIndex(of: ASCII.question) else { return target }
            return String(target[..<mark])
        }
        let path = pathAndQuery.prefix { $0 != "?" }
        // RFC 9110 §4.2.3 — an empty path in an http URI is equivalent to `/`.
        return path.isEmpty ? "/" : String(path)
    }

    /// The part of the target after the first `?`, or `nil` when there is none.
    package var query: String? {
        let pathAndQuery = RequestTarget.pathAndQuery(ofAbsoluteForm: target) ?? target[...]
        guard let mark = pathAndQuery.utf8.firstIndex(of: ASCII.question) else { return nil }
        return String(pathAndQuery[pathAndQuery.utf8.index(after: mark)...])
    }

    /// Whether the connection stays open after the response (RFC 9112 §9.3).
    ///
    /// HTTP/1.1 and later are persistent unless `Connection` lists `close`; HTTP/1.0 is persistent only when
    /// `Connection` lists `keep-alive`.
    package var keepAlive: Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version >= .http1_1 { return true }
        return headers.containsToken("keep-alive", in: "Connection")
    }

    /// Whether the client waits for `100 Continue` before sending the body (RFC 9110 §10.1.1).
    ///
    /// Always `false` for HTTP/1.0, whose clients the RFC says to ignore here.
    package var expectsContinue: Bool {
        guard version >= .http1_1, let expect = headers["Expect"] else { return false }
        return ASCII.equalsIgnoringCase(expect, "100-continue")
    }
}
