package import HTTP1

/// One request for a ``TestClient``: the same value goes on the wire as ``wireText`` or to a handler as ``httpRequest``.
package struct TestRequest: Sendable, CustomStringConvertible {
    /// The method, e.g. `POST`.
    package var method: String
    /// The request target, path and query.
    package var target: String
    /// Header lines besides `Host` and `Content-Length`, as written on the wire (`Name: value`).
    package var headers: [String]
    /// The body, if the request has one.
    package var body: String?
    /// The version on the request line. Default: `HTTP/1.1`.
    package var version: String

    package init(_ method: String, _ target: String, headers: [String] = [], body: String? = nil, version: String = "HTTP/1.1") {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.version = version
    }

    package var description: String { "\(method) \(target)" }

    /// `POST /classify`, the service's main route, with a JSON body.
    package static func classify(_ json: String, headers: [String] = []) -> TestRequest {
        TestRequest("POST", "/classify", headers: ["Content-Type: application/json"] + headers, body: json)
    }

    /// The header lines sent: `Host: test`, then ``headers``, then `Content-Length` for a body unless ``headers``
    /// set `Transfer-Encoding` (a test that does writes the chunked body itself).
    package var headerLines: [String] {
        var lines = ["Host: test"] + headers
        if let body, !headers.contains(where: { $0.lowercased().hasPrefix("transfer-encoding") }) {
            lines.append("Content-Length: \(body.utf8.count)")
        }
        return lines
    }

    /// The request as bytes on the wire.
    package var wireText: String {
        (["\(method) \(target) \(version)"] + headerLines).joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
    }

    /// The request as the server hands it to a handler once parsed: header lines split at their first colon with
    /// the value trimmed. The body goes as it is, not de-chunked: in-process tests send plain bodies.
    package var httpRequest: HTTPRequest {
        let fields = headerLines.map { line -> (String, String) in
            guard let colon = line.firstIndex(of: ":") else { return (line, "") }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            return (String(line[..<colon]), String(value.reversed().drop { $0 == " " || $0 == "\t" }.reversed()))
        }
        return HTTPRequest(
            method: HTTPMethod(rawValue: method), target: target, version: version == "HTTP/1.0" ? .http1_0 : .http1_1,
            headers: HTTPHeaders(fields), body: Array((body ?? "").utf8))
    }
}
