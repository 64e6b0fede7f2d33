/// Splits review text into word tokens: version 1 of the tokenizer specification.
///
/// The specification is written once, in `training/tokenizer.py`, and implemented twice: in
/// Python for training and here for serving. `scripts/check-tokenizer.sh` proves the two give
/// identical ids on every review of both IMDB splits. In short, over Unicode scalars:
/// 1. `<br`, spaces, an optional `/` and `>` (either case of `b`, `r`) become one space;
/// 2. U+2019 becomes an apostrophe;
/// 3. A–Z and the Latin-1 capitals (U+00C0–U+00DE but U+00D7) are lower-cased;
/// 4. word scalars are a–z, 0–9, `'` and U+00DF–U+00FF but U+00F7; anything else separates;
/// 5. a token is a maximal run of word scalars with outer apostrophes removed, dropped if empty.
public enum Tokenizer {
    /// The tokens of `text`, in order.
    public static func tokens(in text: String) -> [String] {
        var tokens: [String] = []
        forEachToken(in: text) { tokens.append($0) }
        return tokens
    }

    /// Calls `body` with each token of `text`, in order, without building an array.
    public static func forEachToken(in text: String, _ body: (String) -> Void) {
        var run = String.UnicodeScalarView()
        func flush() {
            guard !run.isEmpty else { return }
            let scalars = run.drop(while: { $0 == "'" })
            let trimmed = scalars.reversed().drop(while: { $0 == "'" })
            if !trimmed.isEmpty {
                body(String(String.UnicodeScalarView(trimmed.reversed())))
            }
            run.removeAll(keepingCapacity: true)
        }

        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if let end = lineBreakEnd(in: scalars, at: index) {
                flush()
                index = end
                continue
            }
            let scalar = lowercased(scalars[index])
            if isWordScalar(scalar) {
                run.append(scalar)
            } else {
                flush()
            }
            index += 1
        }
        flush()
    }

    /// Step 1: the index just past a `<br */?>` tag starting at `start`, or nil.
    static func lineBreakEnd(in scalars: [Unicode.Scalar], at start: Int) -> Int? {
        guard scalars[start] == "<", start + 2 < scalars.count else { return nil }
        guard scalars[start + 1] == "b" || scalars[start + 1] == "B",
            scalars[start + 2] == "r" || scalars[start + 2] == "R"
        else { return nil }
        var index = start + 3
        while index < scalars.count, scalars[index] == " " { index += 1 }
        if index < scalars.count, scalars[index] == "/" { index += 1 }
        guard index < scalars.count, scalars[index] == ">" else { return nil }
        return index + 1
    }

    /// Steps 2 and 3: apostrophe folding and lower-casing.
    static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = scalar.value
        if value == 0x2019 { return "'" }
        if (0x41...0x5A).contains(value) || ((0xC0...0xDE).contains(value) && value != 0xD7) {
            return Unicode.Scalar(value + 0x20) ?? scalar
        }
        return scalar
    }

    /// Step 4: whether a (lower-cased) scalar belongs to a word.
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x61...0x7A, 0x30...0x39, 0x27: return true
        case 0xDF...0xFF: return scalar.value != 0xF7
        default: return false
        }
    }
}
