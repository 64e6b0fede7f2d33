import Glibc

/// A failed socket system call, with the `errno` it reported.
package struct SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call that failed, for example `"bind"`.
    package var operation: String
    /// The `errno` value.
    package var errno: Int32
    /// `strerror(errno)`.
    package var message: String

    /// Creates an error for `operation` from an explicit errno.
    package init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
        self.message = String(cString: strerror(errno))
    }

    /// Captures the current `errno` for a call that just failed.
    static func makeFailed(_ operation: String) -> SocketError {
        SocketError(operation: operation, errno: Glibc.errno)
    }

    package var description: String { "\(operation) failed: \(message) (errno \(errno))" }
}
