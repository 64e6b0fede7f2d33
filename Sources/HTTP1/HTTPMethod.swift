/// An HTTP request method (RFC 9110 §9).
///
/// Methods are case-sensitive tokens. The parser produces only the methods this server knows, the constants below
/// (``known``); any other well-formed token is refused with 501 (RFC 9110 §9.1), so a handler sees only these and
/// answers `405` for the ones a route does not allow.
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

    /// The methods the parser accepts: RFC 9110 §9.3's GET, HEAD, POST, PUT, DELETE and OPTIONS, and PATCH.
    /// CONNECT and TRACE are left out: this origin server implements neither (no tunnels, no loop-back).
    package static let known: [HTTPMethod] = [.GET, .POST, .HEAD, .PUT, .DELETE, .OPTIONS, .PATCH]

    /// The known method spelled by `token`, or `nil`; compares bytes, so parsing a method builds no string.
    init?(known token: ArraySlice<UInt8>) {
        guard let method = Self.known.first(where: { $0.rawValue.utf8.elementsEqual(token) }) else { return nil }
        self = method
    }

    package var description: String { rawValue }
}
