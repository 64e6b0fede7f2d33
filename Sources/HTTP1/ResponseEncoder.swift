/// Serialises responses to HTTP/1.1 wire bytes (RFC 9112 §4 and §6).
///
/// The encoder owns message framing: it always writes `Date`, writes `Content-Length` (except for 1xx and 204),
/// writes `Connection` when needed, and drops any `Content-Length`, `Transfer-Encoding`, `Connection` or `Date`
/// set on the response. CR, LF and NUL in header values are replaced by spaces so a handler cannot split a response.
package enum ResponseEncoder {
    /// The interim response written when a request carries `Expect: 100-continue`.
    package static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Headers the encoder writes itself; copies on the response are dropped.
    private static let framingHeaders = ["Content-Length", "Transfer-Encoding", "Connection", "Date"]

    /// Encodes `response` as the answer to a request.
    ///
    /// - Parameters:
    ///   - requestMethod: the request's method; for `HEAD` the body is omitted but `Content-Length` is what a `GET`
    ///     would get (the body's length, or the response's own `Content-Length` when its body is empty).
    ///     `nil` when answering a request that could not be parsed.
    ///   - requestVersion: the request's version; an HTTP/1.0 client kept alive gets `Connection: keep-alive`.
    ///   - keepAlive: whether the connection stays open; `false` writes `Connection: close`.
    ///   - date: the `Date` value, an IMF-fixdate from ``HTTPDate``.
    package static func encode(
        _ response: HTTPResponse,
        requestMethod: HTTPMethod?,
        requestVersion: HTTPVersion = .http1_1,
        keepAlive: Bool,
        date: String
    ) -> [UInt8] {
        let status = response.status
        let omitsBody = status.forbidsContent || requestMethod == .HEAD
        var contentLength = response.body.count
        if requestMethod == .HEAD, response.body.isEmpty, let declared = response.headers["Content-Length"],
            let value = Int(declared), value >= 0
        {
            contentLength = value
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(128 + (omitsBody ? 0 : response.body.count) + response.headers.count * 32)
        appendLine(&bytes, "HTTP/1.1 \(status.code) \(status.reasonPhrase)")
        appendField(&bytes, "Date", date)
        // RFC 9110 §8.6: no Content-Length in 1xx or 204 responses.
        if !(status.code < 200 || status.code == 204) {
            appendField(&bytes, "Content-Length", String(contentLength))
        }
        // RFC 9112 §9.6: announce the close; RFC 9112 §9.3: a kept-alive HTTP/1.0 client needs keep-alive echoed.
        if !keepAlive {
            appendField(&bytes, "Connection", "close")
        } else if requestVersion < .http1_1 {
            appendField(&bytes, "Connection", "keep-alive")
        }
        for (name, value) in response.headers where !framingHeaders.contains(where: { ASCII.equalsIgnoringCase($0, name) }) {
            guard !name.isEmpty, name.utf8.allSatisfy(ASCII.isTokenChar) else { continue }
            appendField(&bytes, name, value)
        }
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
        if !omitsBody {
            bytes.append(contentsOf: response.body)
        }
        return bytes
    }

    private static func appendLine(_ bytes: inout [UInt8], _ line: String) {
        bytes.append(contentsOf: line.utf8)
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
    }

    private static func appendField(_ bytes: inout [UInt8], _ name: String, _ value: String) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(ASCII.colon)
        bytes.append(ASCII.space)
        for byte in value.utf8 {
            bytes.append(byte == ASCII.cr || byte == ASCII.lf || byte == 0 ? ASCII.space : byte)
        }
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
    }
}
