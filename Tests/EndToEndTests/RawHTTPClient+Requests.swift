import Foundation
import TestSupport

extension RawHTTPClient {
    /// The wire text of a request with a body; `Content-Length` is computed unless `chunked` is set in `headers`.
    static func request(_ method: String, _ target: String, headers: [String] = [], body: String? = nil, version: String = "HTTP/1.1") -> String {
        var lines = ["\(method) \(target) \(version)", "Host: e2e"] + headers
        if let body, !headers.contains(where: { $0.lowercased().hasPrefix("transfer-encoding") }) {
            lines.append("Content-Length: \(body.utf8.count)")
        }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
    }

    /// The wire text of `POST /classify` with a JSON body.
    static func classify(_ json: String, headers: [String] = []) -> String {
        request("POST", "/classify", headers: ["Content-Type: application/json"] + headers, body: json)
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed]) else { return "\"\"" }
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
