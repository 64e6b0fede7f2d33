import HTTP1

/// The small JSON error body the server writes for requests it refuses itself, e.g.
/// `{"error":{"code":"bad_request","message":"Malformed request line."}}`.
enum ErrorResponse {
    /// A response with `status`, a JSON error body and `Content-Type: application/json`.
    static func make(status: HTTPStatus, message: String) -> HTTPResponse {
        let body = #"{"error":{"code":""# + code(for: status) + #"","message":""# + escape(message) + #""}}"#
        return HTTPResponse(status: status, contentType: "application/json", body: Array(body.utf8))
    }

    /// The stable machine-readable code for a status the server produces.
    static func code(for status: HTTPStatus) -> String {
        switch status.code {
        case 400: "bad_request"
        case 408: "request_timeout"
        case 413: "payload_too_large"
        case 417: "expectation_failed"
        case 431: "headers_too_large"
        case 500: "internal_error"
        case 501: "not_implemented"
        case 503: "service_unavailable"
        case 505: "http_version_not_supported"
        default: "error"
        }
    }

    /// Escapes a string for a JSON string literal (RFC 8259 §7).
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
