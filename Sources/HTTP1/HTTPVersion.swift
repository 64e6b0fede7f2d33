/// An HTTP protocol version such as `HTTP/1.1` (RFC 9110 §2.5).
package struct HTTPVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The major version number, `1` for every version this server accepts.
    package var major: Int
    /// The minor version number.
    package var minor: Int

    /// Creates a version from its two numbers.
    package init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// `HTTP/1.0`: connections close after each response unless the client asks for `keep-alive`.
    package static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// `HTTP/1.1`: connections are persistent unless either side sends `Connection: close`.
    package static let http1_1 = HTTPVersion(major: 1, minor: 1)

    package static func < (lhs: HTTPVersion, rhs: HTTPVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// The wire form, for example `HTTP/1.1`.
    package var description: String { "HTTP/\(major).\(minor)" }
}
