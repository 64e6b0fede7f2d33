import Foundation
import FuzzSupport
import SentimentModel

// The tokenizer and the vocabulary's word table, on any text (docs/fuzzing.md).
//
// The check, on any bytes read as UTF-8 (invalid sequences become U+FFFD, as in a `String` from the wire):
// `Tokenizer.tokens(in:)` gives the tokens of a plain implementation of the specification over Unicode
// scalars (training/tokenizer.py's, step by step); and the bundled vocabulary's `encode` gives the start id
// and then each of those tokens' ids as a `Dictionary` of its words gives them. The tokenizer reads eight
// bytes at a time and the word table loads whole word prefixes, so out-of-bounds reads are what the address
// sanitizer watches for here.

let vocabulary: Vocabulary = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Models/imdb-lstm-vocab.txt").standardized
    do {
        return try Vocabulary(contentsOf: url)
    } catch {
        fatalError("cannot read the vocabulary \(url.path): \(error)")
    }
}()

let ids: [String: Int32] = Dictionary(
    uniqueKeysWithValues: vocabulary.words.enumerated().dropFirst(Vocabulary.reservedCount).map { ($1, Int32($0)) })

func check(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let expected = referenceTokens(text)
    let tokens = Tokenizer.tokens(in: text)
    // Compared as bytes: String's == would take canonically equivalent strings as equal.
    precondition(
        tokens.map { Array($0.utf8) } == expected.map { Array($0.utf8) }, "tokens \(tokens), the specification's \(expected)\n input: \(bytes)")
    let encoded = vocabulary.encode(text)
    let expectedIDs = [Vocabulary.startID] + expected.map { ids[$0] ?? Vocabulary.outOfVocabularyID }
    precondition(encoded == expectedIDs, "ids \(encoded), the dictionary's \(expectedIDs)\n input: \(bytes)")
}

/// Steps 1–5 of the tokenizer specification (training/tokenizer.py), written as plainly as it reads.
func referenceTokens(_ text: String) -> [String] {
    let scalars = Array(text.unicodeScalars)
    // 1. Every `<br`, spaces, an optional `/` and `>` (b and r in either case) becomes one space.
    var broken: [Unicode.Scalar] = []
    var index = 0
    while index < scalars.count {
        if let end = lineBreakEnd(scalars, index) {
            broken.append(" ")
            index = end
        } else {
            broken.append(scalars[index])
            index += 1
        }
    }
    var tokens: [String] = []
    var run: [Unicode.Scalar] = []
    func endRun() {
        var word = run[...]
        while word.first == "'" { word.removeFirst() }
        while word.last == "'" { word.removeLast() }
        if !word.isEmpty { tokens.append(String(String.UnicodeScalarView(word))) }
        run = []
    }
    for var scalar in broken {
        // 2. U+2019 becomes an apostrophe; 3. A–Z and the Latin-1 capitals but U+00D7 are lower-cased.
        if scalar == "\u{2019}" { scalar = "'" }
        if ("A"..."Z").contains(scalar) || (("\u{C0}"..."\u{DE}").contains(scalar) && scalar != "\u{D7}") {
            scalar = Unicode.Scalar(scalar.value + 0x20)!
        }
        // 4. Word scalars: a–z, 0–9, the apostrophe, U+00DF–U+00FF but U+00F7; 5. tokens are their runs.
        if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "'"
            || (("\u{DF}"..."\u{FF}").contains(scalar) && scalar != "\u{F7}")
        {
            run.append(scalar)
        } else {
            endRun()
        }
    }
    endRun()
    return tokens
}

/// The index past a `<br */?>` at `start`, or nil.
func lineBreakEnd(_ scalars: [Unicode.Scalar], _ start: Int) -> Int? {
    guard start + 2 < scalars.count, scalars[start] == "<", "bB".unicodeScalars.contains(scalars[start + 1]),
        "rR".unicodeScalars.contains(scalars[start + 2])
    else { return nil }
    var index = start + 3
    while index < scalars.count, scalars[index] == " " { index += 1 }
    if index < scalars.count, scalars[index] == "/" { index += 1 }
    guard index < scalars.count, scalars[index] == ">" else { return nil }
    return index + 1
}

FuzzMain.run(check)
