public import HTTP1

/// An API error: the HTTP status, a stable machine-readable code and a message for people.
///
/// Sent as `{"error": {"code": "…", "message": "…"}}`.
public struct ServiceError: Error, Equatable, Sendable {
    public let status: HTTPStatus
    public let code: String
    public let message: String
    /// Extra response headers, e.g. `Allow` on 405 or `Retry-After` on 503.
    public var headers: HTTPHeaders = [:]

    public init(status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

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
        var response = HTTPResponse(status: status, contentType: "application/json", body: writer.bytes)
        for (name, value) in headers { response.headers.add(name: name, value: value) }
        return response
    }
}
