/// How the body of a request is delimited, decided from its head (RFC 9112 §6).
enum BodyFraming: Equatable {
    /// No body.
    case none
    /// Exactly this many bytes follow the head.
    case length(Int)
    /// A chunked body follows the head.
    case chunked

    init(head: HTTPRequestHead, limits: HTTPLimits) throws(HTTPParseError) {
        // `contains` and `contentLength` read the fields in place: this runs for every request.
        if head.headers.contains("Transfer-Encoding") {
            // RFC 9112 §6.1 — reject both Content-Length and Transfer-Encoding (request smuggling).
            guard !head.headers.contains("Content-Length") else { throw .conflictingFraming }
            // RFC 9112 §6.1 — Transfer-Encoding in an HTTP/1.0 request means faulty framing.
            guard head.version >= .http1_1 else { throw .conflictingFraming }
            try Self.validateChunked(head.headers.values("Transfer-Encoding"))
            self = .chunked
        } else if let length = try Self.contentLength(head.headers) {
            // RFC 9110 §15.5.14 — refuse an announced body above the limit before reading it (413).
            guard length <= limits.maxBodyBytes else { throw .bodyTooLarge }
            self = length == 0 ? .none : .length(length)
        } else {
            // RFC 9112 §6.3 — a request with neither header has no body.
            self = .none
        }
        try Self.validateExpectation(head)
    }

    /// RFC 9112 §6.1 and §7: only `chunked` is implemented; it must appear once and last (case-insensitive).
    ///
    /// Framing errors are checked before support: `chunked, gzip` is a 400 (the length cannot be known), not a 501.
    private static func validateChunked(_ values: [String]) throws(HTTPParseError) {
        // RFC 9110 §5.6.1 — empty list elements are ignored.
        let codings = values.flatMap { $0.split(separator: ",") }.map { ASCII.trimmingWhitespace($0) }.filter { !$0.isEmpty }
        let chunked = codings.count { ASCII.equalsIgnoringCase($0, "chunked") }
        // RFC 9112 §6.3 — Transfer-Encoding present but `chunked` not the final coding: the body length cannot be
        // determined reliably; 400 and close. An empty field value lands here too.
        guard let last = codings.last, chunked == 0 || ASCII.equalsIgnoringCase(last, "chunked") else { throw .invalidTransferEncoding }
        // RFC 9112 §6.1 — a sender MUST NOT apply `chunked` more than once: 400.
        guard chunked <= 1 else { throw .invalidTransferEncoding }
        // RFC 9112 §6.1 — a transfer coding the server does not understand answers 501. This covers a lone unknown
        // coding too (`gzip`), which §6.3 would also let us answer 400: 501 says more.
        guard chunked == 1, codings.count == 1 else { throw .unsupportedTransferEncoding }
    }

    /// RFC 9110 §8.6: `Content-Length = 1*DIGIT`; repeated values (lines or list elements) must all
    /// agree. Nil when there is no Content-Length field.
    private static func contentLength(_ headers: HTTPHeaders) throws(HTTPParseError) -> Int? {
        var result: Int?
        for (name, value) in headers where ASCII.equalsIgnoringCase(name, "Content-Length") {
            // One pass over the bytes: each comma-separated element is 1*DIGIT with optional whitespace around it.
            var element = 0
            var digits = 0
            var afterDigits = false  // whitespace followed the digits: only more whitespace or a comma may come
            func finishElement() throws(HTTPParseError) {
                guard digits > 0, result == nil || result == element else { throw .invalidContentLength }
                result = element
                (element, digits, afterDigits) = (0, 0, false)
            }
            for byte in value.utf8 {
                if byte == UInt8(ascii: ",") {
                    try finishElement()
                } else if ASCII.isWhitespace(byte) {
                    afterDigits = digits > 0
                } else {
                    guard ASCII.isDigit(byte), !afterDigits else { throw .invalidContentLength }
                    let (shifted, overflow1) = element.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                    guard !overflow1, !overflow2 else { throw .invalidContentLength }
                    element = sum
                    digits += 1
                }
            }
            try finishElement()
        }
        return result
    }

    /// RFC 9110 §10.1.1: `100-continue` is the only expectation; others answer 417. HTTP/1.0 expectations are ignored.
    private static func validateExpectation(_ head: HTTPRequestHead) throws(HTTPParseError) {
        guard head.version >= .http1_1 else { return }
        for value in head.headers.values("Expect") {
            for element in value.split(separator: ",") where !ASCII.equalsIgnoringCase(ASCII.trimmingWhitespace(element), "100-continue") {
                throw .unsupportedExpectation
            }
        }
    }
}
