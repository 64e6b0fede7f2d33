/// A token of a text and where it came from in that text.
package struct TokenSpan: Sendable, Equatable {
    /// The token as the vocabulary knows it: lower-cased, U+2019 as an apostrophe.
    package let token: String
    /// The part of the text the token was made from, `text.unicodeScalars[range]`, as the text spells it.
    package let range: Range<String.Index>
    /// Where that part starts and ends, in Unicode scalars (code points) from the text's start,
    /// end exclusive: Python `str` indices, JavaScript `Array.from(text)` indices.
    package let start: Int
    package let end: Int
}

extension Tokenizer {
    /// The tokens of `text`, as ``tokens(in:)`` gives them, each with its place in `text`.
    ///
    /// The specification step by step over Unicode scalars, for explanations: slower than the byte
    /// scanner that serving uses, and checked against it by the tests. Steps 2 and 3 map one scalar
    /// to one, so every scalar of a token has one source scalar; a line-break tag (step 1) only
    /// separates, whatever its length.
    package static func spans(in text: String) -> [TokenSpan] {
        let scalars = text.unicodeScalars
        var spans: [TokenSpan] = []
        // The current run of word scalars: its first scalar, its offset, and its normalized scalars.
        var runStart = scalars.startIndex
        var runOffset = 0
        var run = String.UnicodeScalarView()
        func endRun(at end: String.Index, offset: Int) {
            defer { run = String.UnicodeScalarView() }
            let apostrophe: Unicode.Scalar = "'"
            let leading = run.prefix { $0 == apostrophe }.count
            guard leading < run.count else { return }
            let trailing = run.reversed().prefix { $0 == apostrophe }.count
            var token = String.UnicodeScalarView()
            token.append(contentsOf: run.dropFirst(leading).dropLast(trailing))
            let start = scalars.index(runStart, offsetBy: leading)
            let stop = scalars.index(end, offsetBy: -trailing)
            spans.append(TokenSpan(token: String(token), range: start..<stop, start: runOffset + leading, end: offset - trailing))
        }
        var index = scalars.startIndex
        var offset = 0
        while index < scalars.endIndex {
            if scalars[index] == "<", let tagEnd = lineBreakEnd(in: scalars, at: index) {
                if !run.isEmpty { endRun(at: index, offset: offset) }
                offset += scalars.distance(from: index, to: tagEnd)
                index = tagEnd
                continue
            }
            if let scalar = wordScalar(scalars[index]) {
                if run.isEmpty {
                    runStart = index
                    runOffset = offset
                }
                run.append(scalar)
            } else if !run.isEmpty {
                endRun(at: index, offset: offset)
            }
            scalars.formIndex(after: &index)
            offset += 1
        }
        if !run.isEmpty { endRun(at: index, offset: offset) }
        return spans
    }

    /// Steps 2–4 for one scalar: what a token keeps of it, or nil for a separator.
    private static func wordScalar(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x61...0x7A, 0x30...0x39, 0x27, 0xDF...0xF6, 0xF8...0xFF: scalar  // a–z, 0–9, ', ß–ö, ø–ÿ
        case 0x41...0x5A, 0xC0...0xD6, 0xD8...0xDE: Unicode.Scalar(UInt8(scalar.value + 0x20))  // A–Z, À–Ö, Ø–Þ
        case 0x2019: "'"
        default: nil
        }
    }

    /// Step 1: the index just past a `<br */?>` tag starting at `start`, or nil.
    private static func lineBreakEnd(in scalars: String.UnicodeScalarView, at start: String.Index) -> String.Index? {
        var index = scalars.index(after: start)
        for letter in ["b", "r"] as [Unicode.Scalar] {
            // Either case: only `B` and `b` (`R`, `r`) give the small letter when 0x20 is set.
            guard index < scalars.endIndex, scalars[index].value | 0x20 == letter.value else { return nil }
            scalars.formIndex(after: &index)
        }
        while index < scalars.endIndex && scalars[index] == " " { scalars.formIndex(after: &index) }
        if index < scalars.endIndex && scalars[index] == "/" { scalars.formIndex(after: &index) }
        guard index < scalars.endIndex && scalars[index] == ">" else { return nil }
        return scalars.index(after: index)
    }
}
