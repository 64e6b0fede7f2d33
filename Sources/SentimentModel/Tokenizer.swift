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
public enum Tokenizer {
    /// The tokens of `text`, in order.
    public static func tokens(in text: String) -> [String] {
        var tokens: [String] = []
        forEachToken(in: text) { tokens.append(String(decoding: $0, as: UTF8.self)) }
        return tokens
    }

    /// Calls `body` with the UTF-8 bytes of each token of `text`, in order, without allocating per token.
    ///
    /// At least eight bytes are readable from the start of every token `body` gets, whatever its
    /// length, so a lookup may load a whole word prefix at once (see ``WordTable/Lookup/id(ofPadded:)``).
    public static func forEachToken(in text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            // A token is never longer than the text it came from; 8 more bytes give the padding.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count + 8) { token in
                token.initialize(repeating: 0)
                byteClasses.withUnsafeBufferPointer { classes in scan(bytes, classes: classes, into: token, body) }
            }
        }
    }

    /// What a byte is to the scanner: ``separator``, ``special``, or else the byte a word keeps (lower-cased).
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

    private static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, classes: UnsafeBufferPointer<UInt8>, into token: UnsafeMutableBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        let apostrophe = UInt8(ascii: "'")
        var length = 0
        func flush() {
            guard length > 0 else { return }
            var start = 0
            var end = length
            while start < end && token[start] == apostrophe { start += 1 }
            while end > start && token[end - 1] == apostrophe { end -= 1 }
            if start < end { body(UnsafeBufferPointer(rebasing: token[start..<end])) }
            length = 0
        }

        var index = 0
        let count = bytes.count
        while index < count {
            // One table load per byte; the common case, a word byte, takes one branch.
            let byte = bytes[index]
            let kept = classes[Int(byte)]
            if kept > special {
                token[length] = kept
                length += 1
                index += 1
            } else if kept == separator {
                flush()
                index += 1
            } else if byte == UInt8(ascii: "<") {
                if let end = lineBreakEnd(in: bytes, at: index) {
                    index = end
                } else {
                    index += 1
                }
                flush()
            } else if byte == 0xC3 && index + 1 < count {
                // U+00C0–U+00FF: the scalar is 0xC0 + (second byte − 0x80).
                var scalar = 0xC0 + UInt32(bytes[index + 1] & 0x3F)
                if (0xC0...0xDE).contains(scalar) && scalar != 0xD7 { scalar += 0x20 }
                if (0xDF...0xFF).contains(scalar) && scalar != 0xF7 {
                    token[length] = 0xC3
                    token[length + 1] = 0x80 | UInt8(scalar & 0x3F)
                    length += 2
                } else {
                    flush()
                }
                index += 2
            } else if byte == 0xE2 && index + 2 < count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x99 {
                token[length] = apostrophe  // U+2019 → '
                length += 1
                index += 3
            } else {
                flush()
                index += 1
            }
        }
        flush()
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
