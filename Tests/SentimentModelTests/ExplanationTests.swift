import Foundation
import KerasFiles
import TestSupport
import Testing

@testable import SentimentModel

/// Per-word explanations agree with Keras `predict` on each prefix of the review
/// (`training/make_explain_golden.py`), and with the served tokenizer and forward pass.
struct ExplanationTests {
    static let tolerance: Float = 1e-5

    /// One text of `imdb-lstm-explain-golden.json`.
    struct Case: Decodable {
        struct Word: Decodable {
            let token: String
            let start: Int
            let end: Int
            let id: Int32
            let score: Float
        }
        let name: String
        let text: String
        let ids: [Int32]
        let truncated: Bool
        let keras_score: Float
        let baseline: Float
        let words: [Word]
    }

    static let golden: [Case] = {
        struct File: Decodable { let cases: [Case] }
        do {
            return try JSONDecoder().decode(File.self, from: Data(contentsOf: Fixtures.url("imdb-lstm-explain-golden.json"))).cases
        } catch {
            fatalError("imdb-lstm-explain-golden.json does not decode: \(error)")
        }
    }()

    @Test func everyWordScoreAgreesWithKerasOnItsPrefix() throws {
        let bundle = BundledModel.bundle
        #expect(Self.golden.count >= 30)
        #expect(Self.golden.contains { $0.truncated } && Self.golden.contains { $0.words.isEmpty })
        var worst: Float = 0
        for item in Self.golden {
            let explanation = try #require(bundle.explain(item.text))
            #expect(abs(explanation.baseline - item.baseline) <= Self.tolerance, "\(item.name): baseline \(explanation.baseline) vs \(item.baseline)")
            #expect(explanation.words.count == item.words.count, "\(item.name)")
            var previous = explanation.baseline
            for (word, expected) in zip(explanation.words, item.words) {
                worst = max(worst, abs(word.score - expected.score))
                #expect(
                    abs(word.score - expected.score) <= Self.tolerance, "\(item.name) '\(expected.token)': \(word.score) vs Keras \(expected.score)")
                #expect(word.start == expected.start && word.end == expected.end, "\(item.name) '\(expected.token)'")
                #expect(word.recognized == (expected.id != Vocabulary.outOfVocabularyID), "\(item.name) '\(expected.token)'")
                #expect(word.change == word.score - previous)
                previous = word.score
            }
            #expect(abs(explanation.score - item.keras_score) <= Self.tolerance, "\(item.name)")
        }
        #expect(worst <= Self.tolerance)
    }

    /// The words' offsets are code points in the text, as Python's `str` indexes it: the word is
    /// the text's own spelling, and the tokens and ids are the served tokenizer's.
    @Test func wordsAreTheTextsOwnAtTheirOffsets() throws {
        let vocabulary = BundledModel.vocabulary
        for item in Self.golden {
            #expect(vocabulary.encode(item.text) == item.ids, "\(item.name)")
            let scalars = Array(item.text.unicodeScalars)
            let spans = Tokenizer.spans(in: item.text)
            #expect(spans.map(\.token) == Tokenizer.tokens(in: item.text), "\(item.name)")
            let explanation = try #require(BundledModel.bundle.explain(item.text))
            for (word, expected) in zip(explanation.words, item.words) {
                var source = String.UnicodeScalarView()
                source.append(contentsOf: scalars[expected.start..<expected.end])
                #expect(word.text == String(source), "\(item.name)")
            }
        }
    }

    /// Each word's score is the model's own score for the review up to that word (to its last bits where
    /// the padding has settled, exactly where the prefix is run whole), and the last is the review's
    /// score bit for bit: on both kernels, for reviews that leave the padding settled and longer ones.
    @Test(arguments: [LSTMStepKernel.Path.fastest, .portable])
    func prefixScoresEqualTheForwardPassOnEachPrefix(path: LSTMStepKernel.Path) throws {
        let checkpoint = try KerasCheckpoint.load(bytes: KerasCheckpoint.readFile(BundledModel.checkpointURL))
        let (architecture, weights) = try CheckpointInterpreter(checkpoint: checkpoint, defaultMaxLength: 500).interpret()
        let classifier = LSTMClassifier(architecture: architecture, weights: weights, stepPath: path)
        let maxLength = architecture.maxLength
        let settled = classifier.engine.settledPadding
        // The padding state settles well before the input's length, or every prefix would be run whole.
        #expect(settled > 0 && settled < maxLength / 4, "settled after \(settled) padding steps")
        var random = SplitMix64(seed: 21)
        for length in [1, 40, maxLength - settled, maxLength - settled + 1, maxLength, maxLength + 37] {
            let ids = [Vocabulary.startID] + (1..<length).map { _ in Int32(random.next(below: 10_000)) }
            let sequence = try classifier.sequence(ids)
            let prefixes = classifier.prefixScores(sequence)
            let read = Array(ids.suffix(maxLength))
            #expect(prefixes.dropped == ids.count - read.count)
            #expect(prefixes.scores.count == read.count)
            // Prefixes on both sides of the settled length, the first and the last, and a sample between.
            let boundary = maxLength - settled
            let lengths = Set(
                [1, 2, 3, boundary - 1, boundary, boundary + 1, boundary + 2, read.count - 1, read.count] + stride(from: 5, to: read.count, by: 41)
            )
            .filter { (1...read.count).contains($0) }.sorted()
            let alone = try classifier.predict(lengths.map { Array(read[..<$0]) })
            for (prefix, reference) in zip(lengths, alone) {
                let score = prefixes.scores[prefix - 1]
                if prefix > boundary {
                    #expect(score == reference, "\(length) ids, prefix \(prefix)")
                } else {
                    #expect(abs(score - reference) <= 1e-6, "\(length) ids, prefix \(prefix): \(score) vs \(reference)")
                }
            }
            #expect(prefixes.scores.last == classifier.predict([sequence]).first, "\(length) ids")
            #expect(prefixes.empty == (try classifier.predict([[Vocabulary.paddingID]]).first), "\(length) ids")
        }
    }

    @Test func spansAgreeWithTheServedTokenizerOnRandomTexts() {
        let pieces = [
            "a", "Z", "q9", "'", "\u{2019}", " ", ".", "\n", "<br>", "<BR />", "<br/", "<b", "<", ">", "é", "É", "ß", "×", "÷", "ÿ",
            "Þ", "Ā", "😀", "日本", "\u{301}", "𝒜", "\r\n",
        ]
        var random = SplitMix64(seed: 0x5CA1)
        for _ in 0..<3_000 {
            let text = (0..<random.next(below: 24)).map { _ in pieces[random.next(below: pieces.count)] }.joined()
            let spans = Tokenizer.spans(in: text)
            #expect(spans.map(\.token) == Tokenizer.tokens(in: text), "\(text.debugDescription)")
            for span in spans {
                let scalars = text.unicodeScalars
                #expect(scalars.distance(from: scalars.startIndex, to: span.range.lowerBound) == span.start, "\(text.debugDescription)")
                #expect(scalars.distance(from: scalars.startIndex, to: span.range.upperBound) == span.end, "\(text.debugDescription)")
                #expect(span.end - span.start == span.token.unicodeScalars.count, "\(text.debugDescription)")
            }
        }
    }

    @Test func wordCountsSayWhatTheVocabularyKnows() {
        let vocabulary = BundledModel.vocabulary
        #expect(WordCounts(encodedText: vocabulary.encode("")) == WordCounts(recognized: 0, unrecognized: 0))
        #expect(WordCounts(encodedText: vocabulary.encode("A blorptastic film, zxqvbnm!")) == WordCounts(recognized: 2, unrecognized: 2))
        #expect(BundledModel.tokenOnlyBundle.explain("A film") == nil)
    }
}
