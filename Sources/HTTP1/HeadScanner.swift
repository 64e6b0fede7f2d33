/// Finds the end of a request head incrementally, enforcing the head limits before the head is complete.
///
/// Positions are relative to the start of the head, so they survive buffer compaction; each byte is examined once.
struct HeadScanner {
    enum Result: Equatable {
        /// No empty line yet.
        case needMore
        /// An empty line before the request line, `length` bytes long, to be skipped.
        case leadingEmptyLine(length: Int)
        /// The head, empty line included, is `length` bytes long.
        case complete(length: Int)
    }

    /// Bytes of the head examined so far.
    private var scanned = 0
    /// Start of the line being scanned.
    private var lineStart = 0
    /// Complete non-empty lines so far (the request line plus header lines).
    private var lines = 0

    mutating func scan(_ buffer: [UInt8], from start: Int, limits: HTTPLimits) throws(HTTPParseError) -> Result {
        let available = buffer.count - start
        while scanned < available {
            let index = scanned
            let byte = buffer[start + index]
            scanned += 1
            let afterCR = index > 0 && buffer[start + index - 1] == ASCII.cr
            // RFC 9112 §2.2 — a CR must be followed by LF; a bare CR is invalid anywhere in the head.
            if afterCR && byte != ASCII.lf {
                throw .invalidLineEnding
            }
            if lines == 0 && index >= limits.maxRequestLineBytes {
                throw .requestLineTooLong
            }
            if index >= limits.maxHeaderBytes {
                throw .headersTooLarge
            }
            guard byte == ASCII.lf else { continue }
            // RFC 9112 §2.2 — lines end with CRLF. The RFC lets a recipient also accept a bare LF; we refuse it, as
            // llhttp and Go do: a peer that disagrees on where a line ends can hide a request inside another.
            guard afterCR else { throw .invalidLineEnding }
            let contentEnd = index - 1
            if contentEnd == lineStart {
                return lines == 0 ? .leadingEmptyLine(length: index + 1) : .complete(length: index + 1)
            }
            lines += 1
            lineStart = index + 1
            // Header lines are all lines but the request line.
            if lines - 1 > limits.maxHeaderCount {
                throw .tooManyHeaders
            }
        }
        return .needMore
    }
}
