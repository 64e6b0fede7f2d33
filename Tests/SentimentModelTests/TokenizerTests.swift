import TestSupport
import Testing

@testable import SentimentModel

struct TokenizerTests {
    @Test(arguments: [
        ("Don’t stop", ["don't", "stop"]),
        ("'quoted' ''' it's'", ["quoted", "it's"]),
        ("One<br />two<BR>three<br  />four<br/>five<bR >six", ["one", "two", "three", "four", "five", "six"]),
        ("<br x>", ["br", "x"]),
        ("CAFÉ ÉTÉ Straße ×÷", ["café", "été", "straße"]),
        ("great😀movie 10/10 日本語", ["great", "movie", "10", "10"]),
        ("", []),
    ])
    func specificationExamples(text: String, expected: [String]) {
        #expect(Tokenizer.tokens(in: text) == expected)
    }

    /// Random texts built from the pieces the byte-level scanner treats specially, against a
    /// transliteration of the specification (`training/tokenizer.py`) over Unicode scalars.
    @Test func agreesWithTheSpecificationOnRandomTexts() throws {
        let pieces = [
            "a", "Z", "q9", "0", "'", "\u{2019}", "\u{2018}", " ", "  ", ".", "-", "\t", "\n", "\u{0}", "<br>", "<BR />", "<bR  />",
            "<br/", "<b", "<br", "<", "/", ">", "é", "É", "ß", "×", "÷", "Ø", "ø", "ÿ", "À", "Þ", "\u{C3}", "Ā", "ğ", "😀", "日本", "\u{7F}",
        ]
        let vocabulary = try #require(BundledModel.bundle.vocabulary)
        var random = SplitMix64(seed: 2_019)
        for _ in 0..<3_000 {
            let text = (0..<Int(random.next() % 24)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            let expected = Self.specificationTokens(text)
            #expect(Tokenizer.tokens(in: text) == expected, "\(text.debugDescription)")
            #expect(vocabulary.encode(text) == [Vocabulary.startID] + expected.map { vocabulary.id(of: $0) }, "\(text.debugDescription)")
        }
    }

    /// Arbitrary bytes, decoded as a server decodes a body (invalid UTF-8 becomes U+FFFD), with
    /// lengths around the tokenizer's eight-byte loads: the same tokens as the specification.
    @Test func agreesWithTheSpecificationOnRandomBytes() {
        // Bytes the scanner treats specially come often; the rest of the 256 fill in.
        let favoured: [UInt8] = Array("aZ9' <bBrR/>".utf8) + [0xC3, 0xE2, 0x80, 0x99, 0x97, 0xB7, 0x9F, 0xBF, 0x00, 0x0A]
        var random = SplitMix64(seed: 0xB17E5)
        for _ in 0..<5_000 {
            let bytes = (0..<Int(random.next() % 40)).map { _ in
                random.next() % 2 == 0 ? favoured[Int(random.next() % UInt64(favoured.count))] : UInt8(truncatingIfNeeded: random.next())
            }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(Tokenizer.tokens(in: text) == Self.specificationTokens(text), "\(bytes)")
        }
    }

    /// Steps 1–5 of the specification, scalar by scalar, as `training/tokenizer.py` writes them.
    private static func specificationTokens(_ text: String) -> [String] {
        // 1. `<[bB][rR] */?>` becomes one space.
        let scalars = Array(text.unicodeScalars)
        var replaced: [Unicode.Scalar] = []
        var index = 0
        while index < scalars.count {
            if scalars[index] == "<", index + 2 < scalars.count, "bB".unicodeScalars.contains(scalars[index + 1]),
                "rR".unicodeScalars.contains(scalars[index + 2])
            {
                var end = index + 3
                while end < scalars.count && scalars[end] == " " { end += 1 }
                if end < scalars.count && scalars[end] == "/" { end += 1 }
                if end < scalars.count && scalars[end] == ">" {
                    replaced.append(" ")
                    index = end + 1
                    continue
                }
            }
            replaced.append(scalars[index])
            index += 1
        }
        // 2.–5.
        var tokens: [String] = []
        var run = String.UnicodeScalarView()
        func finish() {
            let word = String(run).drop { $0 == "'" }.reversed().drop { $0 == "'" }.reversed()
            if !word.isEmpty { tokens.append(String(word)) }
            run = String.UnicodeScalarView()
        }
        for original in replaced {
            var value = original == "\u{2019}" ? 0x27 : original.value
            if (0x41...0x5A).contains(value) || ((0xC0...0xDE).contains(value) && value != 0xD7) { value += 0x20 }
            if (0x61...0x7A).contains(value) || (0x30...0x39).contains(value) || value == 0x27 || ((0xDF...0xFF).contains(value) && value != 0xF7) {
                run.append(Unicode.Scalar(value)!)
            } else {
                finish()
            }
        }
        finish()
        return tokens
    }

    @Test func agreesWithThePythonTokenizerOnTheGoldenReviews() throws {
        let golden = try Fixtures.golden("imdb-lstm-golden.json")
        let vocabulary = try #require(BundledModel.bundle.vocabulary)
        #expect(golden.cases.count >= 200)
        for item in golden.cases {
            let text = try #require(item.text)
            #expect(Tokenizer.tokens(in: text) == item.tokens, "\(item.name ?? "")")
            #expect(vocabulary.encode(text) == item.ids, "\(item.name ?? "")")
        }
    }
}
