/// Parses a complete request head (request line, header lines, empty line) found by ``HeadScanner``.
enum HeadParser {
    static func parse(_ bytes: ArraySlice<UInt8>, limits: HTTPLimits) throws(HTTPParseError) -> HTTPRequestHead {
        // Lines are found in place, without an array of them: a request head is parsed per request.
        var lineStart = bytes.startIndex
        func nextLine() -> ArraySlice<UInt8>? {
            guard lineStart < bytes.endIndex else { return nil }
            let end = bytes[lineStart...].firstIndex(of: ASCII.lf) ?? bytes.endIndex
            defer { lineStart = end < bytes.endIndex ? end + 1 : end }
            return stripCR(bytes[lineStart..<end])
        }
        guard let requestLine = nextLine() else { throw .invalidRequestLine }
        var (head, authority) = try parseRequestLine(requestLine)
        head.headers.reserveCapacity(8)
        while let line = nextLine(), !line.isEmpty {
            let (name, value) = try parseField(line)
            head.headers.add(name: name, value: value)
        }
        try validateHost(head, targetAuthority: authority)
        return head
    }

    /// RFC 9112 §3: `request-line = method SP request-target SP HTTP-version`, single spaces, no other whitespace.
    /// Returns the head without headers and, for an absolute-form target, its authority.
    private static func parseRequestLine(
        _ line: ArraySlice<UInt8>
    ) throws(HTTPParseError) -> (HTTPRequestHead, authority: ArraySlice<UInt8>?) {
        guard let firstSpace = line.firstIndex(of: ASCII.space),
            let secondSpace = line[(firstSpace + 1)...].firstIndex(of: ASCII.space)
        else { throw .invalidRequestLine }
        let methodToken = line[..<firstSpace]
        let target = line[(firstSpace + 1)..<secondSpace]
        let versionToken = line[(secondSpace + 1)...]
        // RFC 9112 §3.1 — `method = token`: anything else is a malformed request line (400).
        guard !methodToken.isEmpty, methodToken.allSatisfy(ASCII.isTokenChar) else { throw .invalidRequestLine }
        // RFC 9112 §3.2 — the target contains no whitespace or control characters.
        guard !target.isEmpty, target.allSatisfy({ $0 > ASCII.space && $0 < 0x7F }) else { throw .invalidRequestLine }
        let version = try parseVersion(versionToken)
        // RFC 9110 §9.1 — a method the server does not recognise or implement answers 501; a route that does not
        // allow a known method answers 405 instead (the handler's business).
        guard let method = HTTPMethod(known: methodToken) else { throw .unknownMethod }
        let authority = try RequestTarget.authority(of: target, method: method)
        let head = HTTPRequestHead(method: method, target: String(decoding: target, as: UTF8.self), version: version, headers: [:])
        return (head, authority)
    }

    /// RFC 9112 §2.3: `HTTP-version = "HTTP/" DIGIT "." DIGIT`, case-sensitive. Only major version 1 is served.
    private static func parseVersion(_ version: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let start = version.startIndex
        guard version.count == 8, version.prefix(5).elementsEqual("HTTP/".utf8), ASCII.isDigit(version[start + 5]),
            version[start + 6] == UInt8(ascii: "."), ASCII.isDigit(version[start + 7])
        else { throw .invalidRequestLine }
        let major = Int(version[start + 5] - UInt8(ascii: "0"))
        let minor = Int(version[start + 7] - UInt8(ascii: "0"))
        // RFC 9110 §2.5 — a higher minor version of a major version we implement is processed as that major version.
        guard major == 1 else { throw .unsupportedVersion }
        return HTTPVersion(major: major, minor: minor)
    }

    /// RFC 9112 §5: `field-line = field-name ":" OWS field-value OWS`.
    private static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        // RFC 9112 §5.2 — obs-fold (a line starting with whitespace) is rejected with 400.
        if let first = line.first, ASCII.isWhitespace(first) { throw .obsoleteLineFolding }
        guard let colon = line.firstIndex(of: ASCII.colon) else { throw .invalidHeaderName }
        let name = line[..<colon]
        // RFC 9112 §5.1 — no whitespace between field name and colon; RFC 9110 §5.1: the name is a token.
        guard !name.isEmpty, name.allSatisfy(ASCII.isTokenChar) else { throw .invalidHeaderName }
        var value = line[line.index(after: colon)...]
        while let first = value.first, ASCII.isWhitespace(first) { value = value.dropFirst() }
        while let last = value.last, ASCII.isWhitespace(last) { value = value.dropLast() }
        // RFC 9110 §5.5 — CR, LF, NUL and other controls (except HTAB) are invalid in field values.
        guard value.allSatisfy(ASCII.isFieldValueChar) else { throw .invalidHeaderValue }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host header; no request has more than one.
    private static func validateHost(_ head: HTTPRequestHead, targetAuthority: ArraySlice<UInt8>?) throws(HTTPParseError) {
        var hosts = 0
        var host: String?
        for (name, value) in head.headers where ASCII.equalsIgnoringCase(name, "Host") {
            hosts += 1
            host = value
            if value.utf8.contains(where: { $0 == ASCII.space || $0 == ASCII.tab || $0 == UInt8(ascii: ",") }) { throw .invalidHost }
        }
        guard hosts <= 1, head.version < .http1_1 || hosts == 1 else { throw .invalidHost }
        // RFC 9112 §3.2.2 — for an absolute-form target an origin server is to ignore Host and use the target's
        // authority. We refuse a disagreement instead, as Kestrel does by default: a request naming two hosts was
        // built for two readers, say a front end that checks Host and a server that routes on the target. The
        // target's path still routes the request; an HTTP/1.0 request without Host has nothing to disagree with.
        if let targetAuthority, let host, !RequestTarget.sameAuthority(targetAuthority, Array(host.utf8)[...]) {
            throw .conflictingHost
        }
    }

    private static func stripCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == ASCII.cr ? line.dropLast() : line
    }
}
