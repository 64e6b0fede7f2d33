/// Splits review text into word tokens: version 1 of the tokenizer specification.
///
/// The specification is written once, in `training/tokenizer.py`, and implemented twice: in
/// Python for training and here for serving; `training/check_tokenizer.py` proves the two give
/// identical ids on every review of both IMDB splits. In short, over Unicode scalars:
/// 1. `<br`, spaces, an optional `/` and `>` (either case of `b`, `r`) become one space;
/// 2. U+2019 becomes an apostrophe;
/// 3. A–Z and the Latin-1 capitals (U+00C0–U+00DE but U+00D7) are lower-cased;
/// 4. word scalars are a–z, 0–9, `'` and U+00DF–U+00FF but U+00F7; anything else separates;
/// 5. a token is a maximal run of word scalars with outer apostrophes removed, dropped if empty.
///
/// This implementation works on UTF-8 bytes, which a Swift `String` guarantees valid: every
/// word scalar is one ASCII byte or a two-byte sequence led by `0xC3` (U+00C0–U+00FF), and
/// the bytes of any other scalar are separators.
package enum Tokenizer {
    /// The tokens of `text`, in order.
    package static func tokens(in text: String) -> [String] {
        var tokens: [String] = []
        forEachToken(in: text) { tokens.append(String(decoding: $0, as: UTF8.self)) }
        return tokens
    }

    /// Calls `body` with the UTF-8 bytes of each token of `text`, in order, without allocating per token.
    ///
    /// At least eight bytes are readable from the start of every token `body` gets, whatever its
    /// length, so a lookup may load a whole word prefix at once (see ``WordTable/Lookup/start(_:)``).
    package static func forEachToken(in text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withTokens(in: text) { tokens in
            while let token = tokens.next() { body(token) }
        }
    }

    /// Calls `body` with an iterator over the tokens of `text`, in order, as ``forEachToken(in:_:)``
    /// gives them. Every token's bytes stay valid until `body` returns, and no longer: neither the
    /// iterator nor a token may escape it.
    static func withTokens<Result>(in text: String, _ body: (inout Tokens) -> Result) -> Result {
        var text = text
        return text.withUTF8 { bytes in
            // Normalizing never lengthens the text; 8 more zero bytes end its last token and pad loads.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count + 8) { normalized in
                let count = byteClasses.withUnsafeBufferPointer { normalize(bytes, classes: $0, into: normalized) }
                (normalized.baseAddress! + count).initialize(repeating: 0, count: 8)
                var tokens = Tokens(text: UnsafePointer(normalized.baseAddress!), count: count)
                return body(&tokens)
            }
        }
    }

    /// Step 5, the second pass over a text: each maximal run of nonzero bytes of what
    /// ``normalize(_:classes:into:)`` wrote, outer apostrophes removed, unless nothing remains.
    /// Runs are found eight bytes at a time: one load skips up to eight separators, and one finds
    /// the end of a token of up to seven bytes.
    struct Tokens: IteratorProtocol {
        /// The normalized text, followed by at least eight zero bytes.
        fileprivate let text: UnsafePointer<UInt8>
        fileprivate let count: Int
        private var index = 0

        fileprivate init(text: UnsafePointer<UInt8>, count: Int) {
            self.text = text
            self.count = count
        }

        mutating func next() -> UnsafeBufferPointer<UInt8>? {
            let apostrophe = UInt8(ascii: "'")
            while index < count {
                let ahead = load(index)
                if ahead == 0 {
                    index += 8
                    continue
                }
                index += ahead.trailingZeroBitCount / 8  // the first nonzero byte, before `count`
                var start = index
                while true {
                    // The lowest byte flagged here is the first zero byte; borrows can flag only higher ones.
                    let word = load(index)
                    let zeros = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
                    if zeros != 0 {
                        index += zeros.trailingZeroBitCount / 8
                        break
                    }
                    index += 8
                }
                var end = index
                while start < end && text[start] == apostrophe { start += 1 }
                while end > start && text[end - 1] == apostrophe { end -= 1 }
                if start < end { return UnsafeBufferPointer(start: text + start, count: end - start) }
            }
            return nil
        }

        private func load(_ index: Int) -> UInt64 {
            UInt64(littleEndian: UnsafeRawPointer(text + index).loadUnaligned(as: UInt64.self))
        }
    }

    /// What a byte is to ``normalize(_:classes:into:)``: ``separator``, ``special``, or else the byte a word keeps (lower-cased).
    private static let byteClasses: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        switch byte {
        case 0x61...0x7A, 0x30...0x39, 0x27: UInt8(byte)  // a–z, 0–9, '
        case 0x41...0x5A: UInt8(byte + 0x20)  // A–Z
        case 0x3C, 0xC3, 0xE2: special  // `<br`, U+00C0–U+00FF, U+2019: decided by the bytes that follow
        default: separator
        }
    }
    private static let separator: UInt8 = 0
    private static let special: UInt8 = 1

    /// Steps 1–4, in two passes of which this is the first: writes `bytes` to `output` with every
    /// separator as a zero byte and every word scalar as the bytes a token keeps of it
    /// (lower-cased; U+2019 as an apostrophe), and returns the count written. A `<br>` tag
    /// leaves one zero byte, so nothing written is longer than what it came from.
    ///
    /// Unlike a scanner that branches on word or separator at every byte, this is rarely mispredicted.
    private static func normalize(
        _ bytes: UnsafeBufferPointer<UInt8>, classes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var index = 0
        var written = 0
        let count = bytes.count
        while index < count {
            // Nearly every byte, whatever its class, takes this loop: one look-up and one store.
            while index < count {
                let kept = classes[Int(bytes[index])]
                if kept == special { break }
                output[written] = kept
                written &+= 1
                index &+= 1
            }
            guard index < count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                output[written] = separator
                written += 1
                index = lineBreakEnd(in: bytes, at: index) ?? index + 1
            } else if byte == 0xC3 && index + 1 < count {
                // U+00C0–U+00FF: the scalar is 0xC0 + (second byte − 0x80).
                var scalar = 0xC0 + UInt32(bytes[index + 1] & 0x3F)
                if (0xC0...0xDE).contains(scalar) && scalar != 0xD7 { scalar += 0x20 }
                let isWord = (0xDF...0xFF).contains(scalar) && scalar != 0xF7
                output[written] = isWord ? 0xC3 : separator
                output[written + 1] = isWord ? 0x80 | UInt8(scalar & 0x3F) : separator
                written += 2
                index += 2
            } else if byte == 0xE2 && index + 2 < count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x99 {
                output[written] = UInt8(ascii: "'")  // U+2019
                written += 1
                index += 3
            } else {
                output[written] = separator  // other scalars led by 0xE2, or 0xC3 ending the text
                written += 1
                index += 1
            }
        }
        return written
    }

    /// Step 1: the index just past a `<br */?>` tag starting at `start`, or nil.
    static func lineBreakEnd(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        guard start + 3 < bytes.count,
            bytes[start + 1] | 0x20 == UInt8(ascii: "b"), bytes[start + 2] | 0x20 == UInt8(ascii: "r")
        else { return nil }
        var index = start + 3
        while index < bytes.count && bytes[index] == UInt8(ascii: " ") { index += 1 }
        if index < bytes.count && bytes[index] == UInt8(ascii: "/") { index += 1 }
        guard index < bytes.count && bytes[index] == UInt8(ascii: ">") else { return nil }
        return index + 1
    }
}
