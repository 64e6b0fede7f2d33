import HTTP1
import Testing

// The framing rules of the request parser, one row each: where the RFC states the rule, the bytes that exercise it
// and what the parser must make of them. This file is the table (there is no separate FRAMING.md to keep in sync):
// each row runs as its own test case, named "section: rule → outcome", whole and one byte at a time.
//
// Where the RFC leaves a choice, the row says which one we took:
// - bare LF: RFC 9112 §2.2 lets a recipient accept it in the head; we refuse it everywhere, as llhttp and Go do.
// - absolute-form: §3.2.2 has an origin server ignore Host; we refuse a Host that names another authority.
// - an unknown coding alone: §6.3 would allow 400; we answer §6.1's 501.

/// What the parser makes of a row's bytes.
enum FramingOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Exactly one request with this method, path and query, and no bytes left over.
    case parsed(HTTPMethod, path: String, query: String? = nil)
    /// This error, and no request before it.
    case refused(HTTPParseError)

    var description: String {
        switch self {
        case .parsed(let method, let path, let query): "\(method) \(path)" + (query.map { "?\($0)" } ?? "")
        case .refused(let error): "\(error)"
        }
    }
}

/// One framing rule.
struct FramingRule: Sendable, CustomTestStringConvertible {
    /// What the row checks, as a phrase.
    var name: String
    /// Where the rule is stated, for example `RFC 9112 §7.1.1`.
    var section: String
    /// The request bytes.
    var wire: String
    var outcome: FramingOutcome

    init(_ name: String, _ section: String, _ wire: String, _ outcome: FramingOutcome) {
        (self.name, self.section, self.wire, self.outcome) = (name, section, wire, outcome)
    }

    var testDescription: String { "\(section): \(name) → \(outcome)" }

    /// The error this row expects, if it expects one.
    var refusal: HTTPParseError? {
        if case .refused(let error) = outcome { error } else { nil }
    }
}

private let get = "GET / HTTP/1.1\r\nHost: a\r\n"
private let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
private let smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"
private let postRoot = FramingOutcome.parsed(.POST, path: "/")

/// A chunked POST whose first chunk-size line is `line` (CRLF added) followed by two bytes of data.
private func chunkLine(_ line: String) -> String { chunked + line + "\r\nhi\r\n0\r\n\r\n" }

/// A POST with these `Transfer-Encoding` field lines and a one-chunk body.
private func transferEncoding(_ values: String...) -> String {
    "POST / HTTP/1.1\r\nHost: a\r\n" + values.map { "Transfer-Encoding: \($0)\r\n" }.joined() + "\r\n2\r\nhi\r\n0\r\n\r\n"
}

let framingRules: [FramingRule] = [
    // MARK: Line endings in the head
    FramingRule("CRLF ends every line", "RFC 9112 §2.2", get + "\r\n", .parsed(.GET, path: "/")),
    FramingRule("an empty CRLF line before the request line is ignored", "RFC 9112 §2.2", "\r\n" + get + "\r\n", .parsed(.GET, path: "/")),
    FramingRule("bare LF before the request line", "RFC 9112 §2.2", "\n" + get + "\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare LF ending the request line", "RFC 9112 §2.2", "GET / HTTP/1.1\nHost: a\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare LF ending a header line", "RFC 9112 §2.2", get + "X-A: b\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare LF ending the head", "RFC 9112 §2.2", get + "\n", .refused(.invalidLineEnding)),
    FramingRule("bare LF in every line ending", "RFC 9112 §2.2", "GET / HTTP/1.1\nHost: a\n\n", .refused(.invalidLineEnding)),
    FramingRule("bare CR in the request line", "RFC 9112 §2.2", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare CR ending the request line", "RFC 9112 §2.2", "GET / HTTP/1.1\rHost: a\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare CR in a header name", "RFC 9112 §2.2", get + "X-\rA: b\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare CR in a header value", "RFC 9112 §2.2", get + "X-A: b\rc\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("CR CR LF ending a header line", "RFC 9112 §2.2", get + "X-A: b\r\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare CR ending the head", "RFC 9112 §2.2", get + "\rGET / HTTP/1.1\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("obs-fold (a line starting with whitespace)", "RFC 9112 §5.2", get + "X-A: b\r\n c\r\n\r\n", .refused(.obsoleteLineFolding)),

    // MARK: Line endings in chunked framing
    FramingRule("CRLF ends chunk lines and chunk data", "RFC 9112 §7.1", chunkLine("2"), postRoot),
    FramingRule("bare LF ending a chunk-size line", "RFC 9112 §7.1", chunked + "2\nhi\r\n0\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare CR ending a chunk-size line", "RFC 9112 §7.1", chunked + "2\rhi\r\n0\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare LF after chunk data", "RFC 9112 §7.1", chunked + "2\r\nhi\n0\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare CR after chunk data", "RFC 9112 §7.1", chunked + "2\r\nhi\r0\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare LF ending the last-chunk line", "RFC 9112 §7.1", chunked + "0\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare LF ending a trailer line", "RFC 9112 §7.1.2", chunked + "0\r\nX-T: 1\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare CR in a trailer line", "RFC 9112 §7.1.2", chunked + "0\r\nX-T: a\rb\r\n\r\n", .refused(.invalidLineEnding)),
    FramingRule("bare LF ending the trailer section", "RFC 9112 §7.1.2", chunked + "0\r\n\n", .refused(.invalidLineEnding)),

    // MARK: Chunk extensions
    FramingRule("extension with a name only", "RFC 9112 §7.1.1", chunkLine("2;name"), postRoot),
    FramingRule("extension with a token value", "RFC 9112 §7.1.1", chunkLine("2;name=value"), postRoot),
    FramingRule("extension with a quoted value and a quoted-pair", "RFC 9112 §7.1.1", chunkLine(#"2;name="quoted \" value""#), postRoot),
    FramingRule("BWS before ;", "RFC 9112 §7.1.1", chunkLine("2 ;a"), postRoot),
    FramingRule("BWS around the name and =", "RFC 9112 §7.1.1", chunkLine("2 ;\ta = \"v\" ; b"), postRoot),
    FramingRule("several extensions", "RFC 9112 §7.1.1", chunkLine("2;a;b=c;d=\"\""), postRoot),
    FramingRule("; with no name", "RFC 9112 §7.1.1", chunkLine("2;"), .refused(.invalidChunk)),
    FramingRule("a value with no name", "RFC 9112 §7.1.1", chunkLine("2;=v"), .refused(.invalidChunk)),
    FramingRule("= with no value", "RFC 9112 §7.1.1", chunkLine("2;a="), .refused(.invalidChunk)),
    FramingRule("an unterminated quoted value", "RFC 9112 §7.1.1", chunkLine("2;a=\"v"), .refused(.invalidChunk)),
    FramingRule("a quoted value ending in a backslash", "RFC 9112 §7.1.1", chunkLine(#"2;a="v\"#), .refused(.invalidChunk)),
    FramingRule("whitespace after the size with no ;", "RFC 9112 §7.1.1", chunkLine("2 "), .refused(.invalidChunk)),
    FramingRule("whitespace after the last extension", "RFC 9112 §7.1.1", chunkLine("2;a "), .refused(.invalidChunk)),
    FramingRule("a name that is not a token", "RFC 9112 §7.1.1", chunkLine("2;a@b"), .refused(.invalidChunk)),
    FramingRule("a token value with a space inside", "RFC 9112 §7.1.1", chunkLine("2;a=b c"), .refused(.invalidChunk)),
    FramingRule("a control character in a name", "RFC 9112 §7.1.1", chunkLine("2;a\u{1}"), .refused(.invalidChunk)),
    FramingRule("a control character in a quoted value", "RFC 9112 §7.1.1", chunkLine("2;a=\"\u{7F}\""), .refused(.invalidChunk)),
    FramingRule("whitespace before the size", "RFC 9112 §7.1", chunkLine(" 2"), .refused(.invalidChunk)),

    // MARK: Request target
    FramingRule("origin-form", "RFC 9112 §3.2.1", "GET /classify?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", .parsed(.GET, path: "/classify", query: "x=1")),
    FramingRule(
        "absolute-form routes on its path and query", "RFC 9112 §3.2.2",
        "POST http://host:8080/classify?x=1 HTTP/1.1\r\nHost: host:8080\r\nContent-Length: 0\r\n\r\n",
        .parsed(.POST, path: "/classify", query: "x=1")),
    FramingRule(
        "absolute-form matches Host ignoring case and the default port", "RFC 9110 §4.2.3",
        "GET HTTP://Example.COM:80/healthz HTTP/1.1\r\nHost: example.com\r\n\r\n", .parsed(.GET, path: "/healthz")),
    FramingRule("absolute-form with no path is /", "RFC 9110 §4.2.3", "GET http://a HTTP/1.1\r\nHost: a\r\n\r\n", .parsed(.GET, path: "/")),
    FramingRule("absolute-form in HTTP/1.0 without Host", "RFC 9112 §3.2.2", "GET http://a/x HTTP/1.0\r\n\r\n", .parsed(.GET, path: "/x")),
    FramingRule(
        "absolute-form whose authority differs from Host", "RFC 9112 §3.2.2", "GET http://b/ HTTP/1.1\r\nHost: a\r\n\r\n",
        .refused(.conflictingHost)),
    FramingRule(
        "absolute-form whose port differs from Host", "RFC 9112 §3.2.2", "GET http://a:8080/ HTTP/1.1\r\nHost: a\r\n\r\n",
        .refused(.conflictingHost)),
    FramingRule("absolute-form without Host in HTTP/1.1", "RFC 9112 §3.2", "GET http://a/ HTTP/1.1\r\n\r\n", .refused(.invalidHost)),
    FramingRule(
        "absolute-form with a scheme other than http", "RFC 9110 §4.2.1", "GET https://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
        .refused(.invalidRequestTarget)),
    FramingRule(
        "absolute-form with userinfo", "RFC 9110 §4.2.4", "GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.invalidRequestTarget)),
    FramingRule("absolute-form with an empty host", "RFC 9110 §4.2.1", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.invalidRequestTarget)),
    FramingRule("authority-form outside CONNECT", "RFC 9112 §3.2.3", "GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.invalidRequestTarget)),
    FramingRule("a target in none of the forms", "RFC 9112 §3.2", "GET classify HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.invalidRequestTarget)),
    FramingRule("asterisk-form for OPTIONS", "RFC 9112 §3.2.4", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", .parsed(.OPTIONS, path: "*")),
    FramingRule("asterisk-form for another method", "RFC 9112 §3.2.4", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.invalidRequestTarget)),
    FramingRule("asterisk followed by more", "RFC 9112 §3.2.4", "OPTIONS *a HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.invalidRequestTarget)),

    // MARK: Method
    FramingRule("a method the server knows", "RFC 9110 §9.1", "DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n", .parsed(.DELETE, path: "/x")),
    FramingRule("a method the server does not know", "RFC 9110 §9.1", "PURGE / HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.unknownMethod)),
    FramingRule(
        "CONNECT, which this origin server does not implement", "RFC 9110 §9.3.6", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
        .refused(.unknownMethod)),
    FramingRule("methods are case-sensitive", "RFC 9110 §9.1", "get / HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.unknownMethod)),
    FramingRule("a method that is not a token", "RFC 9112 §3.1", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", .refused(.invalidRequestLine)),

    // MARK: Transfer-Encoding and Content-Length
    FramingRule("chunked, any case", "RFC 9112 §7.1", transferEncoding("Chunked"), postRoot),
    FramingRule("chunked not the final coding", "RFC 9112 §6.3", transferEncoding("chunked, gzip"), .refused(.invalidTransferEncoding)),
    FramingRule(
        "chunked not the final coding, across lines", "RFC 9112 §6.3", transferEncoding("chunked", "gzip"), .refused(.invalidTransferEncoding)),
    FramingRule("chunked applied twice", "RFC 9112 §6.1", transferEncoding("chunked, chunked"), .refused(.invalidTransferEncoding)),
    FramingRule("chunked applied twice, across lines", "RFC 9112 §6.1", transferEncoding("chunked", "chunked"), .refused(.invalidTransferEncoding)),
    FramingRule("an empty Transfer-Encoding", "RFC 9112 §6.3", transferEncoding(""), .refused(.invalidTransferEncoding)),
    FramingRule("an unknown coding alone", "RFC 9112 §6.1", transferEncoding("gzip"), .refused(.unsupportedTransferEncoding)),
    FramingRule("an unknown coding before chunked", "RFC 9112 §6.1", transferEncoding("gzip, chunked"), .refused(.unsupportedTransferEncoding)),
    FramingRule("a coding that only resembles chunked", "RFC 9112 §6.1", transferEncoding("xchunked"), .refused(.unsupportedTransferEncoding)),
    FramingRule(
        "Transfer-Encoding and Content-Length", "RFC 9112 §6.1",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", .refused(.conflictingFraming)),
    FramingRule(
        "Content-Length and Transfer-Encoding", "RFC 9112 §6.1",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .refused(.conflictingFraming)),
    FramingRule(
        "Transfer-Encoding in HTTP/1.0", "RFC 9112 §6.1", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        .refused(.conflictingFraming)),

    // MARK: Smuggling: a second request hidden behind a bare LF is never parsed
    FramingRule("a request behind a bare LF ending the head", "RFC 9112 §11.2", get + "\n" + smuggled, .refused(.invalidLineEnding)),
    FramingRule("a request behind a bare LF in a header line", "RFC 9112 §11.2", get + "X-A: b\n" + smuggled, .refused(.invalidLineEnding)),
    FramingRule("a request behind a bare LF ending the last chunk", "RFC 9112 §11.2", chunked + "0\n\r\n" + smuggled, .refused(.invalidLineEnding)),
    FramingRule(
        "a request behind a bare LF after chunk data", "RFC 9112 §11.2", chunked + "2\r\nhi\n0\r\n\r\n" + smuggled, .refused(.invalidLineEnding)),
]

@Suite("RequestParser: framing rules")
struct FramingRuleTests {
    @Test("each framing rule holds, whole and one byte at a time", arguments: framingRules)
    func rule_Holds(_ rule: FramingRule) {
        for split in [Split.whole, .oneByOne] {
            let result = parse(rule.wire, split: split)
            // One outcome in all: a refusal leaves no request before it, and a parsed row no error after it.
            var outcomes = result.requests.map { FramingOutcome.parsed($0.method, path: $0.path, query: $0.query) }
            if let error = result.error { outcomes.append(.refused(error)) }
            #expect(outcomes == [rule.outcome], "split: \(split.testDescription)")
            if case .parsed = rule.outcome { #expect(result.leftover == 0, "split: \(split.testDescription)") }
        }
    }
}
