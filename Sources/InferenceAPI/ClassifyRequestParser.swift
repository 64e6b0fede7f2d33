/// A strict RFC 8259 JSON reader for `POST /classify` bodies: one cursor over the UTF-8 bytes, no Foundation.
///
/// `ClassifyRequest.parse` walks the body with it and builds the request directly, without a document tree. Values of
/// the wrong type are recorded in `typeError` (`mismatch`, `parseID`), not thrown, so invalid JSON later still wins.
///
/// Decisions: where an id is expected, a number with an exact integer value in `Int` range is accepted, as
/// `JSONDecoder` did (`100`, `100.0`, `1e2`, `-0`); `1.5`, `1e-1`, `1e19` are type errors (exact in decimal, so
/// `1.000000000000000000001` is not an integer). Trailing commas, leading zeros, `1.`, lone surrogates and invalid
/// UTF-8 are invalid JSON. A leading UTF-8 byte order mark is ignored (RFC 8259 §8.1); UTF-16/32 is not accepted.
/// Arrays and objects nest at most `maxDepth` levels (the API needs 3): deeper is a 400, never deep recursion.
struct ClassifyRequestParser {
    static let maxDepth = 8

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// The first type error in a field, thrown by the caller once the field set is known to be right.
    private(set) var typeError: ServiceError?

    /// A reader at the first value of `bytes`, past an optional byte order mark and whitespace.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
    }

    /// An id, or nil after recording why the value is not one.
    mutating func parseID(_ field: @autoclosure () -> String, _ expected: @autoclosure () -> String) throws(ServiceError) -> Int? {
        guard let byte = peek, byte == UInt8(ascii: "-") || Self.isDigit(byte) else {
            try mismatch(field(), expected())
            return nil
        }
        let start = index
        if let id = try scanNumber() { return id }
        let text = String(decoding: bytes[start..<min(index, start + 24)], as: UTF8.self) + (index - start > 24 ? "…" : "")
        record(field(), "\(expected()), got \(text), which is not an integer in the 64-bit range")
        return nil
    }

    /// A boolean, or nil after recording why the value is not one.
    mutating func parseBool(_ field: String) throws(ServiceError) -> Bool? {
        switch peek {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        default:
            try mismatch(field, "a boolean")
            return nil
        }
    }

    /// Records a type error for the value at the cursor, then checks it and moves past it.
    mutating func mismatch(_ field: String, _ expected: String) throws(ServiceError) {
        let kinds: [UInt8: String] = [0x22: "a string", 0x5B: "an array", 0x7B: "an object", 0x6E: "null", 0x74: "a boolean", 0x66: "a boolean"]
        let found = peek.flatMap { kinds[$0] } ?? "a number"
        try skipValue()
        record(field, "\(expected), got \(found)")
    }

    private mutating func record(_ field: String, _ expected: String) {
        if typeError == nil { typeError = .badRequest("field \(field) has the wrong type (expected \(expected))") }
    }

    // MARK: The JSON grammar

    /// The byte at the cursor, nil at the end.
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private func invalid(_ problem: String) -> ServiceError { .badRequest("the body is not valid JSON: \(problem) at byte \(index)") }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    mutating func expectEnd() throws(ServiceError) {
        skipWhitespace()
        guard index == bytes.count else { throw invalid("unexpected data after the JSON value") }
    }

    /// An object or array at the cursor: calls `each` at every member's value with its key ("" in arrays) and index.
    mutating func container(_ each: (inout Self, String, Int) throws(ServiceError) -> Void) throws(ServiceError) {
        let isObject = peek == UInt8(ascii: "{")
        let close = UInt8(ascii: isObject ? "}" : "]")
        depth += 1
        guard depth <= Self.maxDepth else { throw .badRequest("the body nests arrays and objects more than \(Self.maxDepth) levels deep") }
        index += 1
        skipWhitespace()
        if peek == close {
            index += 1
            depth -= 1
            return
        }
        var count = 0
        var key = ""
        while true {
            if isObject {
                guard peek == UInt8(ascii: "\"") else { throw invalid("expected a field name in double quotes") }
                key = try parseString()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw invalid("expected ':' after a field name") }
                index += 1
                skipWhitespace()
            }
            try each(&self, key, count)
            count += 1
            skipWhitespace()
            if peek == close {
                index += 1
                depth -= 1
                return
            }
            guard peek == UInt8(ascii: ",") else { throw invalid(isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array") }
            index += 1
            skipWhitespace()
            if peek == close { throw invalid("trailing comma") }
        }
    }

    /// Checks any value at the cursor and moves past it.
    mutating func skipValue() throws(ServiceError) {
        switch peek {
        case UInt8(ascii: "{"), UInt8(ascii: "["): try container { parser, _, _ throws(ServiceError) in try parser.skipValue() }
        case UInt8(ascii: "\""): _ = try parseString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case let byte? where byte == UInt8(ascii: "-") || Self.isDigit(byte): _ = try scanNumber()
        case nil: throw invalid("unexpected end of the body")
        default: throw invalid("unexpected character")
        }
    }

    private mutating func literal(_ word: String) throws(ServiceError) {
        guard bytes[index...].starts(with: word.utf8) else { throw invalid("expected \(word)") }
        index += word.utf8.count
    }

    /// Checks a number at the cursor and moves past it: its value if that is an exact integer in `Int` range, else nil.
    private mutating func scanNumber() throws(ServiceError) -> Int? {
        let negative = peek == UInt8(ascii: "-")
        if negative { index += 1 }
        // Non-zero digits go into `magnitude`; zeros wait in `zeros` until a non-zero digit follows. So the value is
        // magnitude × 10^(zeros − fractionDigits ± exponent), and magnitude's last digit is not 0.
        var magnitude: UInt64 = 0
        var zeros = 0
        var fractionDigits = 0
        var exponent = 0
        var fits = true
        func times10() {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            (magnitude, fits) = (product, fits && !overflow)
        }
        guard let first = peek, Self.isDigit(first) else { throw invalid("expected a digit in a number") }
        if first == UInt8(ascii: "0"), index + 1 < bytes.count, Self.isDigit(bytes[index + 1]) { throw invalid("leading zero in a number") }
        var inFraction = false
        while let byte = peek {
            if Self.isDigit(byte) {
                if inFraction { fractionDigits += 1 }
                if byte == UInt8(ascii: "0") {
                    zeros += 1
                } else {
                    for _ in 0...zeros where fits { times10() }
                    let (sum, overflow) = magnitude.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                    (magnitude, fits, zeros) = (sum, fits && !overflow, 0)
                }
            } else if byte == UInt8(ascii: "."), !inFraction {
                inFraction = true
                index += 1
                guard let next = peek, Self.isDigit(next) else { throw invalid("expected a digit after '.' in a number") }
                continue
            } else {
                break
            }
            index += 1
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            let negativeExponent = peek == UInt8(ascii: "-")
            if negativeExponent || peek == UInt8(ascii: "+") { index += 1 }
            guard let next = peek, Self.isDigit(next) else { throw invalid("expected a digit in a number's exponent") }
            while let byte = peek, Self.isDigit(byte) {
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(byte - UInt8(ascii: "0")) }
                index += 1
            }
            if negativeExponent { exponent = -exponent }
        }
        guard magnitude != 0 else { return 0 }
        var power = zeros - fractionDigits + exponent
        guard fits, power >= 0 else { return nil }
        while power > 0, fits {
            times10()
            power -= 1
        }
        guard fits, magnitude <= UInt64(Int.max) + (negative ? 1 : 0) else { return nil }
        return negative ? Int(truncatingIfNeeded: 0 &- magnitude) : Int(magnitude)
    }

    /// A string at the cursor, unescaped and checked to be valid UTF-8.
    mutating func parseString() throws(ServiceError) -> String {
        index += 1
        let start = index
        let (end, ascii) = plainRun(from: start)
        index = end
        if peek == UInt8(ascii: "\"") {
            index += 1
            return try bytes.withUnsafeBufferPointer { all throws(ServiceError) in try string(.init(rebasing: all[start..<end]), ascii: ascii) }
        }
        // Escapes: copy the plain runs between them in bulk (reviews sent by JSON encoders escape
        // every quote and, by default, every non-ASCII character).
        var buffer: [UInt8] = []
        buffer.reserveCapacity(bytes.count - start)
        buffer.append(contentsOf: bytes[start..<end])
        while let byte = peek {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try buffer.withUnsafeBufferPointer { buffer throws(ServiceError) in try string(buffer, ascii: false) }
            case UInt8(ascii: "\\"):
                index += 1
                try unescape(into: &buffer)
            case ..<0x20: throw invalid("unescaped control character in a string")
            default:
                buffer.append(byte)
                index += 1  // not reached: a plain run stops only at the cases above
            }
            let (runEnd, _) = plainRun(from: index)
            buffer.append(contentsOf: bytes[index..<runEnd])
            index = runEnd
        }
        throw invalid("unterminated string")
    }

    /// Where the run of plain string bytes from `start` ends (at `"`, `\\`, a control character or
    /// the end), and whether the run is all ASCII. Scanned without per-byte bounds checks.
    private func plainRun(from start: Int) -> (end: Int, ascii: Bool) {
        bytes.withUnsafeBytes { bytes in
            var end = start
            var high: UInt64 = 0
            // Eight bytes at a time while none is '"', '\\' or a control character (SWAR "has a byte equal/less" tests).
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            while end + 8 <= bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: end, as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                guard ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs == 0 else { break }
                high |= word
                end += 8
            }
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
                high |= UInt64(bytes[end])
                end += 1
            }
            return (end, high & highs == 0)
        }
    }

    private func string(_ utf8: UnsafeBufferPointer<UInt8>, ascii: Bool) throws(ServiceError) -> String {
        if ascii { return String(decoding: utf8, as: UTF8.self) }
        guard let string = String(validating: utf8, as: UTF8.self) else { throw invalid("invalid UTF-8 in a string") }
        return string
    }

    private mutating func unescape(into buffer: inout [UInt8]) throws(ServiceError) {
        let unescaped: UInt8? =
            switch peek {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): peek
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            case UInt8(ascii: "u"): nil
            default: throw invalid("invalid escape in a string")
            }
        index += 1
        if let unescaped { return buffer.append(unescaped) }
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code) {
            guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw invalid("unpaired surrogate in a \\u escape")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw invalid("unpaired surrogate in a \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw invalid("unpaired surrogate in a \\u escape") }
        UTF8.encode(scalar) { buffer.append($0) }
    }

    private mutating func hex4() throws(ServiceError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let digit: UInt8? =
                switch peek {
                case let byte? where Self.isDigit(byte): byte - UInt8(ascii: "0")
                case let byte? where (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20): (byte | 0x20) - UInt8(ascii: "a") + 10
                default: nil
                }
            guard let digit else { throw invalid("expected 4 hex digits after \\u") }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
