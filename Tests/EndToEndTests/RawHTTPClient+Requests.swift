import Foundation
import TestSupport

extension RawHTTPClient {
    /// The wire text of a request with a body; `Content-Length` is computed unless `chunked` is set in `headers`.
    static func request(_ method: String, _ target: String, headers: [String] = [], body: String? = nil, version: String = "HTTP/1.1") -> String {
        TestRequest(method, target, headers: headers, body: body, version: version).wireText
    }

    /// The wire text of `POST /classify` with a JSON body.
    static func classify(_ json: String, headers: [String] = []) -> String {
        TestRequest.classify(json, headers: headers).wireText
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed]) else { return "\"\"" }
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}

extension TestClient {
    /// Sends `POST /classify` with a JSON body.
    func classify(_ json: String) throws -> RawResponse {
        try execute(.classify(json))
    }
}
