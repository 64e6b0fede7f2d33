/// Decodes a `Transfer-Encoding: chunked` body incrementally (RFC 9112 §7.1).
///
/// Chunk extensions are validated against their grammar, then ignored; trailer fields are read within the head
/// limits and discarded.
struct ChunkedBodyDecoder {
    private enum State {
        /// Expecting `chunk-size [ chunk-ext ] CRLF`.
        case size
        /// Inside chunk data with this many bytes left.
        case data(remaining: Int)
        /// Expecting the CRLF that ends chunk data.
        case dataEnd
        /// Reading trailer lines after the last chunk.
        case trailers(bytes: Int, count: Int)
    }

    /// Longest chunk-size line accepted, extensions included: 4 KiB.
    static let maxChunkLineBytes = 4096

    private var state = State.size

    /// Consumes what it can from `buffer[index...]`, appending chunk data to `body`.
    /// Returns `true` once the last chunk and the trailers have been read; `index` then points past the body.
    mutating func decode(
        _ buffer: [UInt8],
        from index: inout Int,
        into body: inout [UInt8],
        limits: HTTPLimits
    ) throws(HTTPParseError) -> Bool {
        while true {
            switch state {
            case .size:
                guard let (content, next) = try Self.line(in: buffer, from: index, maxLength: Self.maxChunkLineBytes) else {
                    return false
                }
                let size = try Self.chunkSize(content)
                // RFC 9112 §7.1 — the de-chunked length is bounded by the body limit (413), checked before buffering.
                guard size <= limits.maxBodyBytes - body.count else { throw .bodyTooLarge }
                index = next
                state = size == 0 ? .trailers(bytes: 0, count: 0) : .data(remaining: size)

            case .data(let remaining):
                let take = min(remaining, buffer.count - index)
                guard take > 0 else { return false }
                body.append(contentsOf: buffer[index..<index + take])
                index += take
                state = take == remaining ? .dataEnd : .data(remaining: remaining - take)

            case .dataEnd:
                // RFC 9112 §7.1 — chunk data is followed by CRLF; a bare LF or CR is refused by `line`.
                guard let (content, next) = try Self.line(in: buffer, from: index, maxLength: 2) else { return false }
                guard content.isEmpty else { throw .invalidChunk }
                index = next
                state = .size

            case .trailers(let bytes, let count):
                let budget = limits.maxHeaderBytes - bytes
                guard let (content, next) = try Self.trailerLine(in: buffer, from: index, budget: budget) else { return false }
                index = next
                // RFC 9112 §7.1.2 — trailer fields end with an empty line; we parse and discard them.
                if content.isEmpty { return true }
                guard count < limits.maxHeaderCount else { throw .tooManyHeaders }
                state = .trailers(bytes: bytes + content.count + 2, count: count + 1)
            }
        }
    }

    /// RFC 9112 §7.1: `chunk = chunk-size [ chunk-ext ] CRLF` with `chunk-size = 1*HEXDIG`.
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var size = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = ASCII.hexValue(line[index]) {
            let (shifted, overflow1) = size.multipliedReportingOverflow(by: 16)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            // A chunk size that overflows is malformed, not merely large.
            guard !overflow1, !overflow2 else { throw .invalidChunk }
            size = sum
            index += 1
        }
        // RFC 9112 §7.1 — `chunk-size = 1*HEXDIG`: at least one digit, nothing before it.
        guard index > line.startIndex else { throw .invalidChunk }
        try validateExtensions(line[index...])
        return size
    }

    /// RFC 9112 §7.1.1 — `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )` with
    /// `chunk-ext-name = token` and `chunk-ext-val = token / quoted-string`. Whitespace is allowed only where the
    /// grammar puts BWS, so `2 ` (whitespace with no `;` after it) and `2;a ` (trailing whitespace) are refused.
    private static func validateExtensions(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) {
        var index = bytes.startIndex
        let end = bytes.endIndex
        func skipWhitespace() {
            while index < end && ASCII.isWhitespace(bytes[index]) { index += 1 }
        }
        func skipToken() throws(HTTPParseError) {
            let start = index
            while index < end && ASCII.isTokenChar(bytes[index]) { index += 1 }
            guard index > start else { throw .invalidChunk }
        }
        while index < end {
            skipWhitespace()
            // RFC 9112 §7.1.1 — each extension starts with ";" (after optional BWS).
            guard index < end, bytes[index] == ASCII.semicolon else { throw .invalidChunk }
            index += 1
            skipWhitespace()
            // RFC 9112 §7.1.1 — `chunk-ext-name = token`: `2;` and `2;=v` have none.
            try skipToken()
            let afterName = index
            skipWhitespace()
            guard index < end, bytes[index] == ASCII.equals else {
                // No value: the whitespace just skipped is BWS before the next ";" or trailing junk; the loop decides.
                index = afterName
                continue
            }
            index += 1
            skipWhitespace()
            if index < end && bytes[index] == ASCII.doubleQuote {
                index = try quotedStringEnd(bytes, from: index)
            } else {
                // RFC 9112 §7.1.1 — `chunk-ext-val = token / quoted-string`.
                try skipToken()
            }
        }
    }

    /// RFC 9110 §5.6.4 — `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE`, where qdtext and the escaped
    /// character of a `quoted-pair` are HTAB, SP, VCHAR or obs-text. Returns the index after the closing quote;
    /// an unterminated string or a control character is refused.
    private static func quotedStringEnd(_ bytes: ArraySlice<UInt8>, from start: Int) throws(HTTPParseError) -> Int {
        var index = start + 1
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == ASCII.doubleQuote { return index + 1 }
            if byte == ASCII.backslash {
                index += 1
                guard index < bytes.endIndex else { break }
            }
            guard ASCII.isFieldValueChar(bytes[index]) else { throw .invalidChunk }
            index += 1
        }
        throw .invalidChunk
    }

    /// A trailer line within `budget` bytes: over budget is 431, like an oversized head.
    private static func trailerLine(
        in buffer: [UInt8],
        from start: Int,
        budget: Int
    ) throws(HTTPParseError) -> (ArraySlice<UInt8>, Int)? {
        guard let (content, next) = try line(in: buffer, from: start, maxLength: max(budget, 0), overflow: .headersTooLarge) else {
            return nil
        }
        if let first = content.first, ASCII.isWhitespace(first) { throw .obsoleteLineFolding }
        guard content.isEmpty || content.allSatisfy(ASCII.isFieldValueChar) else { throw .invalidHeaderValue }
        return (content, next)
    }

    /// The next line starting at `start`: its content without CRLF and the index after it, or `nil` when the
    /// terminator has not arrived. A bare CR or bare LF is rejected; so is a line over `maxLength` bytes.
    private static func line(
        in buffer: [UInt8],
        from start: Int,
        maxLength: Int,
        overflow: HTTPParseError = .invalidChunk
    ) throws(HTTPParseError) -> (ArraySlice<UInt8>, Int)? {
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == ASCII.lf {
                // RFC 9112 §7.1 — chunk-size lines, the end of chunk data and trailer lines end with CRLF. The grammar
                // has no bare-LF allowance here (§2.2's covers the head only); we refuse it in trailers too.
                guard index > start && buffer[index - 1] == ASCII.cr else { throw .invalidLineEnding }
                return (buffer[start..<index - 1], index + 1)
            }
            // RFC 9112 §2.2 — a CR must be followed by LF.
            if index > start && buffer[index - 1] == ASCII.cr { throw .invalidLineEnding }
            index += 1
            if index - start > maxLength { throw overflow }
        }
        return nil
    }
}
