/// A content coding this server decodes in requests or applies to responses (RFC 9110 §8.4.1).
package enum ContentCoding: String, Sendable, Hashable, CaseIterable {
    /// The gzip file format (RFC 1952); `x-gzip` is its alias (RFC 9110 §8.4.1.3). Concatenated members are one body.
    case gzip
    /// The zlib format (RFC 1950) around deflate data, as RFC 9110 §8.4.1.2 defines `deflate`. Raw deflate data
    /// (RFC 1951, no zlib header) is accepted too, as many clients send it; the two are told apart by the zlib header.
    case deflate

    /// The `Accept-Encoding` value of a 415 answer: the codings a request body may have (RFC 9110 §12.5.3).
    package static let acceptedInRequests = "gzip, deflate, identity"

    /// What a request's `Content-Encoding` fields ask of the server.
    package enum RequestDecoding: Sendable, Hashable {
        /// No field, or only `identity` and empty list elements: the body is as sent.
        case identity
        /// One coding to undo.
        case decode(ContentCoding)
        /// A coding this server does not know, or more than one to undo; the value is the field as received.
        case unsupported(String)
    }

    /// Reads the `Content-Encoding` fields of a request (every field line; the list may span several).
    ///
    /// Only one coding besides `identity` is accepted: a stack such as `gzip, gzip` would multiply what one
    /// limit on the decoded size lets through, for no client that needs it.
    package static func requestDecoding(_ values: [String]) -> RequestDecoding {
        var found: ContentCoding?
        for value in values {
            for element in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let name = ASCII.trimmingWhitespace(Substring(element))
                if name.isEmpty || ASCII.equalsIgnoringCase(name, "identity") { continue }
                guard let coding = ContentCoding(name: name), found == nil else {
                    return .unsupported(values.joined(separator: ", "))
                }
                found = coding
            }
        }
        return found.map { .decode($0) } ?? .identity
    }

    /// The coding a coding name denotes, ignoring case; `nil` for `identity` and every name this server does not know.
    init?(name: some StringProtocol) {
        if ASCII.equalsIgnoringCase(name, "gzip") || ASCII.equalsIgnoringCase(name, "x-gzip") {
            self = .gzip
        } else if ASCII.equalsIgnoringCase(name, "deflate") {
            self = .deflate
        } else {
            return nil
        }
    }
}

/// What a request's `Accept-Encoding` says about gzip responses (RFC 9110 §12.5.3), reduced to the one choice
/// this server makes: whether to gzip a response that is large enough.
package enum AcceptEncoding {
    /// Whether the client prefers a gzip response to an uncompressed one.
    ///
    /// No field: `false` (RFC 9110 allows any coding then, but clients that can decode gzip say so). Otherwise gzip's
    /// weight is that of `gzip` or `x-gzip`, else of `*`, else 0. gzip is chosen when its weight is positive and not
    /// below identity's, where identity weighs what `identity`, else `*`, gives it, and nothing when neither is listed
    /// (it stays acceptable, but a client that lists only `gzip;q=0.8` asks for gzip). So `gzip;q=0.5, identity` is
    /// answered uncompressed and `identity;q=0` compressed. Elements that do not parse (a bad `q`) are ignored.
    package static func prefersGzip(_ values: [String]) -> Bool {
        guard !values.isEmpty else { return false }
        var gzip: Int?
        var identity: Int?
        var wildcard: Int?
        for value in values {
            for element in value.utf8.split(separator: UInt8(ascii: ",")) {
                guard let (name, weight) = parse(Substring(element)) else { continue }
                if ASCII.equalsIgnoringCase(name, "gzip") || ASCII.equalsIgnoringCase(name, "x-gzip") {
                    gzip = max(gzip ?? 0, weight)
                } else if ASCII.equalsIgnoringCase(name, "identity") {
                    identity = max(identity ?? 0, weight)
                } else if name == "*" {
                    wildcard = max(wildcard ?? 0, weight)
                }
            }
        }
        let gzipWeight = gzip ?? wildcard ?? 0
        let identityWeight = identity ?? wildcard ?? 0
        return gzipWeight > 0 && gzipWeight >= identityWeight
    }

    /// One list element, `coding *( OWS ";" OWS parameter )`, as its coding name and its weight in thousandths
    /// (`q=1` is 1000; no `q` is 1000). `nil` when the name is empty or `q` is not a qvalue (RFC 9110 §12.4.2).
    static func parse(_ element: Substring) -> (name: Substring, weight: Int)? {
        var parameters = element.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
        guard let first = parameters.next() else { return nil }
        let name = ASCII.trimmingWhitespace(first)
        guard !name.isEmpty, name.utf8.allSatisfy(ASCII.isTokenChar) else { return nil }
        var weight = 1000
        while let parameter = parameters.next() {
            let trimmed = ASCII.trimmingWhitespace(parameter)
            guard trimmed.count >= 2, ASCII.equalsIgnoringCase(trimmed.prefix(2), "q=") else { continue }
            guard let parsed = qvalue(trimmed.dropFirst(2)) else { return nil }
            weight = parsed
        }
        return (name, weight)
    }

    /// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )` in thousandths, or `nil`.
    package static func qvalue(_ text: Substring) -> Int? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var thousandths = first == UInt8(ascii: "1") ? 1000 : 0
        guard bytes.count > 1 else { return thousandths }
        guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5, bytes[2...].allSatisfy(ASCII.isDigit) else { return nil }
        var scale = 100
        for digit in bytes[2...] {
            thousandths += Int(digit - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return thousandths <= 1000 ? thousandths : nil
    }
}
