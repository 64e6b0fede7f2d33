import Foundation
import Testing

@testable import SentimentModel

struct VocabularyTests {
    @Test func bundledVocabularyFollowsKerasIMDBConventions() throws {
        let vocabulary = try #require(Fixtures.bundled.vocabulary)
        #expect(vocabulary.count == 10_000)
        #expect(Array(vocabulary.words.prefix(4)) == ["<pad>", "<start>", "<unk>", "<unused>"])
        #expect(vocabulary.id(of: "the") == 4)
        #expect(vocabulary.encode("the zzzzqqq") == [1, 4, 2])
    }

    @Test func refusesDuplicateWords() {
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
            try ModelBundle.load(checkpoint: Fixtures.model("imdb-lstm.keras"), vocabulary: path)
        }
    }
}
