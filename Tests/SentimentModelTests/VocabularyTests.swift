import Foundation
import TestSupport
import Testing

@testable import SentimentModel

struct VocabularyTests {
    @Test func bundledVocabularyFollowsKerasIMDBConventions() throws {
        let vocabulary = try #require(BundledModel.bundle.vocabulary)
        #expect(vocabulary.count == 10_000)
        #expect(Array(vocabulary.words.prefix(4)) == ["<pad>", "<start>", "<unk>", "<unused>"])
        #expect(vocabulary.id(of: "the") == 4)
        #expect(vocabulary.encode("the zzzzqqq") == [1, 4, 2])
    }

    @Test func looksUpExactlyTheWordsItHolds() throws {
        // Words around the table's eight-byte prefix (shared prefixes, different tails, zero bytes,
        // multi-byte scalars), then seeded random ones; every lookup is checked against a dictionary
        // keyed by the same bytes.
        var words = [
            "a", "a\u{0}", "\u{0}", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghj", "abcdefghij", "abcdefgh\u{0}",
            "abcdefghijklmnopq", "abcdefghijklmnopr", "abcdefghijklmnop", "ééééé", "éééé", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        ]
        var random = SplitMix64(seed: 7)
        let letters = Array("abcdefghij'é".unicodeScalars)
        // Half of the ten-byte words after "abcdefgh"; lookups of the other half meet them on their probe paths.
        let pairs = letters.flatMap { x in letters.map { y in "abcdefgh" + String(x) + String(y) } }.filter { $0.utf8.count == 10 }
        words += pairs.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        while words.count < 3_000 {
            let length = 1 + Int(random.next() % 20)
            let word = String(String.UnicodeScalarView((0..<length).map { _ in letters[Int(random.next() % UInt64(letters.count))] }))
            if !words.contains(word) { words.append(word) }
        }
        let vocabulary = try Vocabulary(words: ["<pad>", "<start>", "<unk>", "<unused>"] + words)
        var expected: [[UInt8]: Int32] = [:]
        for (index, word) in words.enumerated() { expected[Array(word.utf8)] = Int32(index + 4) }

        for word in words + pairs {
            for probe in [word, word + "x", String(word.dropLast()), "x" + word, word + "\u{0}"] {
                let bytes = Array(probe.utf8)
                let id = bytes.withUnsafeBufferPointer { vocabulary.id(ofUTF8: $0) }
                #expect(id == expected[bytes] ?? Vocabulary.outOfVocabularyID, "\(probe.debugDescription)")
            }
        }
        // The same words through `encode`, whose lookups load each token's prefix in one go from the
        // tokenizer's padded buffer; only words the tokenizer keeps whole can take that path.
        var encoded = 0
        for word in words + pairs where Tokenizer.tokens(in: word) == [word] {
            let bytes = Array(word.utf8)
            #expect(vocabulary.encode(word) == [Vocabulary.startID, expected[bytes] ?? Vocabulary.outOfVocabularyID], "\(word)")
            #expect(
                vocabulary.encode(word + " " + word + "x") == [
                    Vocabulary.startID, expected[bytes] ?? Vocabulary.outOfVocabularyID,
                    expected[bytes + [UInt8(ascii: "x")]] ?? Vocabulary.outOfVocabularyID,
                ], "\(word)")
            encoded += 1
        }
        #expect(encoded > 2_000)

        // All of them in one text, short and long: many times more words than `encode` asks the
        // table for ahead of reading their slots.
        let kept = (words + pairs).filter { Tokenizer.tokens(in: $0) == [$0] }.flatMap { [$0, $0 + "x"] }
        let ids = [Vocabulary.startID] + kept.map { expected[Array($0.utf8)] ?? Vocabulary.outOfVocabularyID }
        let encodedText = vocabulary.encode(kept.joined(separator: " "))
        #expect(encodedText.count == ids.count)
        let firstDifference = zip(encodedText, ids).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifference == nil, "id \(firstDifference?.offset ?? 0) of \(ids.count)")
    }

    @Test func encodesTheDensestTextsTokenForToken() throws {
        // One-byte tokens between one-byte separators: the most tokens a text can hold, which
        // `encode` sizes its output for.
        let vocabulary = try #require(BundledModel.bundle.vocabulary)
        let a = vocabulary.id(of: "a")
        for length in 0..<40 {
            let text = String((0..<length).map { $0 % 2 == 0 ? Character("a") : Character(" ") })
            let tokens = (length + 1) / 2
            #expect(vocabulary.encode(text) == [Vocabulary.startID] + Array(repeating: a, count: tokens), "\(text.debugDescription)")
        }
    }

    @Test func refusesDuplicateWords() {
        #expect(throws: ModelError.self) { try Vocabulary(words: ["<pad>", "<start>", "<unk>", "<unused>", "abcdefghijk", "b", "abcdefghijk"]) }
        #expect(throws: ModelError.self) { try Vocabulary(words: ["<pad>", "<start>", "<unk>", "<unused>", "a", "b", "a"]) }
    }

    @Test func refusesEmptyEntriesAndTooFewLines() {
        #expect(throws: ModelError.self) { try Vocabulary(words: ["<pad>", "<start>", "<unk>", "<unused>", "a", ""]) }
        #expect(throws: ModelError.self) { try Vocabulary(words: ["<pad>", "<start>"]) }
    }

    @Test func refusesAVocabularyLargerThanTheEmbedding() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let words = ["<pad>", "<start>", "<unk>", "<unused>"] + (4..<10_001).map { "w\($0)" }
        let path = directory.appendingPathComponent("big.txt")
        try (words.joined(separator: "\n") + "\n").write(to: path, atomically: true, encoding: .utf8)
        #expect(throws: ModelError.vocabularyMismatch(vocabulary: 10_001, embedding: 10_000)) {
            try ModelBundle.load(checkpoint: BundledModel.checkpointURL, vocabulary: path)
        }
    }
}
