/// The forms of request-target this server accepts (RFC 9112 §3.2), checked on the parser's bytes and taken apart
/// on a head's `target` string.
enum RequestTarget {
    /// Checks the form of `target` for `method`; returns the authority of an absolute-form target, for the `Host`
    /// check, and `nil` for the other forms.
    static func authority(of target: ArraySlice<UInt8>, method: HTTPMethod) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        guard let first = target.first else { throw .invalidRequestLine }
        // RFC 9112 §3.2.1 — origin-form = absolute-path [ "?" query ]: the usual form, routed as it is.
        if first == ASCII.slash { return nil }
        // RFC 9112 §3.2.4 — asterisk-form `*` is only for a server-wide OPTIONS request.
        if first == ASCII.asterisk {
            guard target.count == 1, method == .OPTIONS else { throw .invalidRequestTarget }
            return nil
        }
        // RFC 9112 §3.2.3 — authority-form is only for CONNECT, which is refused earlier as an unknown method (501).
        // RFC 9112 §3.2.2 — a server MUST accept absolute-form. We serve plain HTTP, so only the `http` scheme
        // (RFC 9110 §4.2.1; schemes compare case-insensitively) names a resource here: `https` and others are 400.
        let scheme = "http://".utf8
        guard target.count > scheme.count, zip(target, scheme).allSatisfy({ ASCII.lowercased($0) == $1 }) else {
            throw .invalidRequestTarget
        }
        let authority = target.dropFirst(scheme.count).prefix { $0 != ASCII.slash && $0 != ASCII.question }
        // RFC 9110 §4.2.1 — an http URI with an empty host is invalid; §4.2.4 — userinfo is to be treated as an error.
        guard let hostStart = authority.first, hostStart != ASCII.colon, !authority.contains(ASCII.at) else {
            throw .invalidRequestTarget
        }
        return authority
    }

    /// What follows the authority of an absolute-form `target` (`/classify?x=1`, `?x=1` or empty), or `nil` when
    /// `target` is not absolute-form. Origin-form returns at its first byte, so routing stays cheap.
    static func pathAndQuery(ofAbsoluteForm target: String) -> Substring? {
        let utf8 = target.utf8
        guard let first = utf8.first, first != ASCII.slash, first != ASCII.asterisk,
            let colon = utf8.firstIndex(of: ASCII.colon)
        else { return nil }
        let slashes = utf8[utf8.index(after: colon)...].prefix(2)
        guard slashes.elementsEqual("//".utf8) else { return nil }
        let authorityEnd = utf8[slashes.endIndex...].firstIndex { $0 == ASCII.slash || $0 == ASCII.question } ?? utf8.endIndex
        return target[authorityEnd...]
    }

    /// Whether two authorities name the same origin: hosts compare case-insensitively and an empty or default
    /// port is the same as none (RFC 9110 §4.2.3), so `Example.com:80` matches `example.com`.
    static func sameAuthority(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Bool {
        let lhs = withoutDefaultPort(lhs)
        let rhs = withoutDefaultPort(rhs)
        return lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { ASCII.lowercased($0) == ASCII.lowercased($1) }
    }

    private static func withoutDefaultPort(_ authority: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        if authority.last == ASCII.colon { return authority.dropLast() }
        if authority.count > 3 && authority.suffix(3).elementsEqual(":80".utf8) { return authority.dropLast(3) }
        return authority
    }
}
