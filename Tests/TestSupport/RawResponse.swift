import Foundation

/// One HTTP response as the raw client read it off the wire.
public struct RawResponse: Sendable {
    /// The status code from the status line.
    public var status: Int
    /// The status line, e.g. `HTTP/1.1 200 OK`.
    public var statusLine: String
    /// Header fields in wire order.
    public var headers: [(name: String, value: String)]
    /// The body bytes (empty for HEAD and bodiless statuses).
    public var body: [UInt8]

    /// The first value of a header field, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object, or an empty dictionary when it is not one.
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// `error.code` of an API or server error body.
    public var errorCode: String? {
        (json["error"] as? [String: Any])?["code"] as? String
    }

    /// `error.message` of an API or server error body.
    public var errorMessage: String? {
        (json["error"] as? [String: Any])?["message"] as? String
    }

    /// The literal text of every JSON number written after `"key":`, in body order, e.g. `["0.93410563"]` for `score`.
    ///
    /// Used to compare scores exactly as the server printed them, with no decimal-to-binary rounding in between.
    public func rawNumbers(for key: String) -> [String] {
        let marker = "\"\(key)\":"
        var results: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: marker) {
            let value = rest[range.upperBound...].prefix { !",}] \n".contains($0) }
            results.append(String(value))
            rest = rest[range.upperBound...]
        }
        return results
    }
}
