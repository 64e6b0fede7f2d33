/// An HTTP request method (RFC 9110 §9).
///
/// Methods are case-sensitive tokens; any token the parser accepts becomes an `HTTPMethod`, so a handler
/// can answer `405` or `501` for methods it does not implement.
package struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token exactly as sent, for example `"GET"`.
    package let rawValue: String

    /// Creates a method from its token. No validation is done here; the parser only produces valid tokens.
    package init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// `GET`: transfer a current representation of the target resource.
    package static let GET = HTTPMethod(rawValue: "GET")
    /// `HEAD`: like `GET`, but the response carries no content.
    package static let HEAD = HTTPMethod(rawValue: "HEAD")
    /// `POST`: process the enclosed representation.
    package static let POST = HTTPMethod(rawValue: "POST")
    /// `PUT`: replace the target resource.
    package static let PUT = HTTPMethod(rawValue: "PUT")
    /// `DELETE`: remove the target resource.
    package static let DELETE = HTTPMethod(rawValue: "DELETE")
    /// `OPTIONS`: describe the communication options.
    package static let OPTIONS = HTTPMethod(rawValue: "OPTIONS")
    /// `PATCH`: apply a partial modification (RFC 5789).
    package static let PATCH = HTTPMethod(rawValue: "PATCH")

    package var description: String { rawValue }
}
