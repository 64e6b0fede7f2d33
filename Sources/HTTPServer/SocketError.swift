import Glibc

/// A failed socket system call, with the `errno` it reported.
public struct SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call that failed, for example `"bind"`.
    public var operation: String
    /// The `errno` value.
    public var errno: Int32
    /// `strerror(errno)`.
    public var message: String

    /// Creates an error for `operation` from an explicit errno.
    public init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
        self.message = String(cString: strerror(errno))
    }

    /// Captures the current `errno` for a call that just failed.
    static func makeFailed(_ operation: String) -> SocketError {
        SocketError(operation: operation, errno: Glibc.errno)
    }

    public var description: String { "\(operation) failed: \(message) (errno \(errno))" }
}
