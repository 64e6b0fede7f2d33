package import HTTP1

/// An API error: the HTTP status, a stable machine-readable code and a message for people.
///
/// Sent as `{"error": {"code": "…", "message": "…"}}`. Every error body the service sends, its own
/// and the server's refusals (``init(_:retryAfterSeconds:)``), is one of these, so each condition
/// has one code wherever it is detected.
package struct ServiceError: Error, Equatable, Sendable {
    package let status: HTTPStatus
    package let code: String
    package let message: String
    /// Extra response headers, e.g. `Allow` on 405 or `Retry-After` on 503.
    package var headers: HTTPHeaders = [:]

    package init(status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// The server's own refusal of a request, in the API's words. A content coding the server does not decode is
    /// 415 `unsupported_encoding` (not `unsupported_media_type`: the client's fix differs), with `Accept-Encoding`.
    package init(_ refusal: HTTPRefusal, retryAfterSeconds: Int) {
        if case .tooManyConnections = refusal {
            self = .overloaded("the server has too many connections; retry later", retryAfterSeconds: retryAfterSeconds)
            return
        }
        let code =
            switch refusal.status {
            case .contentTooLarge: "payload_too_large"
            case .requestHeaderFieldsTooLarge: "headers_too_large"
            case .requestTimeout: "request_timeout"
            case .unsupportedMediaType: "unsupported_encoding"
            case .expectationFailed: "expectation_failed"
            case .notImplemented: "not_implemented"
            case .httpVersionNotSupported: "http_version_not_supported"
            default: "invalid_request"
            }
        self.init(status: refusal.status, code: code, message: refusal.message, headers: refusal.headers)
    }

    /// 503: no room for more work now; `Retry-After` says when to come back.
    static func overloaded(_ message: String, retryAfterSeconds: Int) -> ServiceError {
        ServiceError(status: .serviceUnavailable, code: "overloaded", message: message, headers: ["Retry-After": String(retryAfterSeconds)])
    }

    /// 503 from `/readyz` while the server drains.
    static let notReady = ServiceError(status: .serviceUnavailable, code: "not_ready", message: "the server is draining")

    static func badRequest(_ message: String) -> ServiceError {
        ServiceError(status: .badRequest, code: "invalid_request", message: message)
    }

    static func unprocessable(_ code: String, _ message: String) -> ServiceError {
        ServiceError(status: .unprocessableContent, code: code, message: message)
    }

    static func notFound(_ path: String) -> ServiceError {
        ServiceError(status: .notFound, code: "not_found", message: "no route for \(path)")
    }

    static func methodNotAllowed(_ method: HTTPMethod, allowed: [HTTPMethod]) -> ServiceError {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return ServiceError(
            status: .methodNotAllowed, code: "method_not_allowed", message: "\(method) is not allowed here; use \(allow)",
            headers: ["Allow": allow])
    }

    /// The JSON response for this error.
    var response: HTTPResponse {
        var writer = JSONWriter()
        writer.object { writer in
            writer.key("error")
            writer.object { writer in
                writer.field("code", code)
                writer.field("message", message)
            }
        }
        var response = HTTPResponse(status: status, contentType: "application/json", body: writer.line())
        for (name, value) in headers { response.headers.add(name: name, value: value) }
        return response
    }
}
