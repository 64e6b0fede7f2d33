import Glibc

/// Why the raw client could not produce a response.
public enum RawHTTPClientError: Error, CustomStringConvertible {
    case connectFailed(errno: Int32)
    case sendFailed(errno: Int32)
    case timedOut(partial: String)
    case closedEarly(partial: String)
    case malformed(String)

    public var description: String {
        switch self {
        case .connectFailed(let code): "connect failed: \(String(cString: strerror(code)))"
        case .sendFailed(let code): "send failed: \(String(cString: strerror(code)))"
        case .timedOut(let partial): "no complete response before the read timeout; received \(partial.debugDescription)"
        case .closedEarly(let partial): "the server closed before a complete response; received \(partial.debugDescription)"
        case .malformed(let line): "malformed response head: \(line.debugDescription)"
        }
    }
}
