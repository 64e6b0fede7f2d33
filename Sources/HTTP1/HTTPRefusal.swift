/// Why the server answered a request itself instead of handing it to the ``HTTPHandler``: the
/// events the handler renders with ``HTTPHandler/response(for:)``. After each the connection closes.
package enum HTTPRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not a request this server accepts, or exceed a limit (see ``HTTPParseError``).
    case malformed(HTTPParseError)
    /// The request head did not arrive within the header read timeout.
    case headTimeout
    /// The request body did not arrive within the body read timeout.
    case bodyTimeout
    /// The server holds its maximum number of connections; this one is answered and closed at once.
    case tooManyConnections

    /// The response status.
    package var status: HTTPStatus {
        switch self {
        case .malformed(let error): error.status
        // RFC 9110 §15.5.9: 408 tells the client the server closed an unused or too slow connection.
        case .headTimeout, .bodyTimeout: .requestTimeout
        case .tooManyConnections: .serviceUnavailable
        }
    }

    /// A short message safe to show to clients.
    package var message: String {
        switch self {
        case .malformed(let error): error.message
        case .headTimeout: "Request head not received in time."
        case .bodyTimeout: "Request body not received in time."
        case .tooManyConnections: "Too many connections."
        }
    }

    package var description: String { "\(status.code): \(message)" }
}
