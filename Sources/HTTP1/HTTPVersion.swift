/// An HTTP protocol version such as `HTTP/1.1` (RFC 9110 §2.5).
public struct HTTPVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The major version number, `1` for every version this server accepts.
    public var major: Int
    /// The minor version number.
    public var minor: Int

    /// Creates a version from its two numbers.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// `HTTP/1.0`: connections close after each response unless the client asks for `keep-alive`.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// `HTTP/1.1`: connections are persistent unless either side sends `Connection: close`.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public static func < (lhs: HTTPVersion, rhs: HTTPVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// The wire form, for example `HTTP/1.1`.
    public var description: String { "HTTP/\(major).\(minor)" }
}
