import TestSupport
import Testing

@testable import SentimentModel

/// A batch of N sequences scores exactly as N single forward passes.
struct BatchingEquivalenceTests {
    @Test func batchedScoresEqualUnbatchedScoresBitForBit() throws {
        let classifier = BundledModel.bundle.classifier
        let sequences = try Fixtures.golden("imdb-lstm-golden.json").cases.map(\.ids)
        let batched = try classifier.predict(sequences)
        for (sequence, score) in zip(sequences, batched) {
            #expect(try classifier.predict([sequence]) == [score])
        }
        // Another order and a smaller batch (below the two-thread threshold) give the same scores.
        let reversed = try classifier.predict(sequences.reversed())
        #expect(reversed == batched.reversed())
        #expect(try classifier.predict(Array(sequences.prefix(5))) == Array(batched.prefix(5)))
    }

    @Test func paddingAndTruncationFollowKerasPre() throws {
        let classifier = BundledModel.bundle.classifier
        let long = (0..<700).map { Int32(4 + $0 % 9000) }
        let scores = try classifier.predict([long, Array(long.suffix(500)), [0, 0, 0] + [1, 50, 60], [1, 50, 60]])
        #expect(scores[0] == scores[1])  // only the last 500 ids count
        #expect(abs(scores[2] - scores[3]) < 1e-6)  // explicit leading padding is padding
        #expect(try classifier.predict([] as [[Int32]]) == [])
    }

    @Test func refusesIdsOutsideTheEmbedding() {
        let classifier = BundledModel.bundle.classifier
        #expect(throws: ModelError.tokenOutOfRange(TokenOutOfRange(id: 10_000, position: 1, vocabularySize: 10_000))) {
            try classifier.predict([[1, 10_000]])
        }
        #expect(throws: ModelError.tokenOutOfRange(TokenOutOfRange(id: -1, position: 0, vocabularySize: 10_000))) {
            try classifier.predict([[1, 5], [-1]])
        }
    }
}
