/// How the body of a request is delimited, decided from its head (RFC 9112 §6).
enum BodyFraming: Equatable {
    /// No body.
    case none
    /// Exactly this many bytes follow the head.
    case length(Int)
    /// A chunked body follows the head.
    case chunked

    init(head: HTTPRequestHead, limits: HTTPLimits) throws(HTTPParseError) {
        let transferEncodings = head.headers.values("Transfer-Encoding")
        let contentLengths = head.headers.values("Content-Length")
        if !transferEncodings.isEmpty {
            // RFC 9112 §6.1: reject both Content-Length and Transfer-Encoding (request smuggling).
            guard contentLengths.isEmpty else { throw .conflictingFraming }
            // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request means faulty framing.
            guard head.version >= .http1_1 else { throw .conflictingFraming }
            try Self.validateChunked(transferEncodings)
            self = .chunked
        } else if !contentLengths.isEmpty {
            let length = try Self.contentLength(contentLengths)
            // RFC 9110 §15.5.14: refuse an announced body above the limit before reading it (413).
            guard length <= limits.maxBodyBytes else { throw .bodyTooLarge }
            self = length == 0 ? .none : .length(length)
        } else {
            // RFC 9112 §6.3: a request with neither header has no body.
            self = .none
        }
        try Self.validateExpectation(head)
    }

    /// RFC 9112 §6.1 and §7: only `chunked` is implemented; it must appear once and last (case-insensitive).
    private static func validateChunked(_ values: [String]) throws(HTTPParseError) {
        // RFC 9110 §5.6.1: empty list elements are ignored.
        let codings = values.flatMap { $0.split(separator: ",") }.map { ASCII.trimmingWhitespace($0) }.filter { !$0.isEmpty }
        // RFC 9112 §6.1: a transfer coding the server does not understand answers 501.
        guard codings.allSatisfy({ ASCII.equalsIgnoringCase($0, "chunked") }) else { throw .unsupportedTransferEncoding }
        // RFC 9112 §6.3: chunked applied twice (or missing) makes the length unknowable: 400.
        guard codings.count == 1 else { throw .invalidTransferEncoding }
    }

    /// RFC 9110 §8.6: `Content-Length = 1*DIGIT`; repeated values (lines or list elements) must all agree.
    private static func contentLength(_ values: [String]) throws(HTTPParseError) -> Int {
        var result: Int?
        for element in values.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let digits = ASCII.trimmingWhitespace(element).utf8
            guard !digits.isEmpty else { throw .invalidContentLength }
            var value = 0
            for byte in digits {
                guard ASCII.isDigit(byte) else { throw .invalidContentLength }
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { throw .invalidContentLength }
                value = sum
            }
            guard result == nil || result == value else { throw .invalidContentLength }
            result = value
        }
        guard let result else { throw .invalidContentLength }
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
