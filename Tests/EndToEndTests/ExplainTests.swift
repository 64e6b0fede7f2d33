import Foundation
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// `"explain": true` on the real model, in-process and over a socket: every word read, where it is in the text,
    /// the score up to it and its change; the last word's score is the result's, bit for bit.
    @Suite("POST /classify explanations")
    struct ExplainTests {
        static let review = "A wonderful, moving film. The acting is SUPERB, the plot blorptastic… 10/10 😍"

        @Test(arguments: TestTransport.allCases)
        func aTextIsExplainedWordByWord(_ transport: TestTransport) throws {
            let json = #"{"text": \#(RawHTTPClient.jsonString(Self.review)), "explain": true}"#
            let response = try EndToEnd.service().test(transport) { try $0.classify(json) }
            #expect(response.status == 200)
            let explanation = try #require(response.json["explanation"] as? [String: Any])
            #expect(Set(explanation.keys) == ["baseline", "words"])
            let words = try #require(explanation["words"] as? [[String: Any]])
            let expected = try #require(BundledModel.bundle.explain(Self.review))
            try #require(words.count == expected.words.count && words.count == Tokenizer.tokens(in: Self.review).count)
            let scalars = Array(Self.review.unicodeScalars)
            for (word, reference) in zip(words, expected.words) {
                #expect(Set(word.keys) == ["text", "start", "end", "score", "change", "recognized"])
                let start = try #require(word["start"] as? Int)
                let end = try #require(word["end"] as? Int)
                var source = String.UnicodeScalarView()
                source.append(contentsOf: scalars[start..<end])
                #expect(word["text"] as? String == String(source))
                #expect(word["text"] as? String == reference.text && word["recognized"] as? Bool == reference.recognized)
            }
            #expect(
                words.map { $0["text"] as? String } == [
                    "A", "wonderful", "moving", "film", "The", "acting", "is", "SUPERB", "the", "plot",
                    "blorptastic", "10", "10",
                ])
            #expect(words.map { $0["recognized"] as? Bool }.filter { $0 == false }.count == 1)
            // Scores and changes as written, to the last digit: the explanation's, and the last is the result's score.
            let scores = response.rawNumbers(for: "score")
            #expect(scores == [expected.score.description] + expected.words.map(\.score.description))
            #expect(scores.first == (try Fixtures.unbatchedScore(ids: BundledModel.vocabulary.encode(Self.review))).description)
            #expect(response.rawNumbers(for: "change") == expected.words.map(\.change.description))
            #expect(response.rawNumbers(for: "baseline") == [expected.baseline.description])
            let counts = response.json["words"] as? [String: Int]
            #expect(counts == ["recognized": 12, "unrecognized": 1])
        }

        /// Each text of a batch is explained, an unreadable one too (no word: an empty list and the start id's score).
        @Test(arguments: TestTransport.allCases)
        func aBatchIsExplainedTextByText(_ transport: TestTransport) throws {
            let long = Array(repeating: "a truly dreadful and boring film", count: 120).joined(separator: " ")
            let texts = ["I loved every minute of it.", "😍 !!!", long]
            let json = #"{"texts": [\#(texts.map(RawHTTPClient.jsonString).joined(separator: ", "))], "explain": true}"#
            let response = try EndToEnd.service().test(transport) { try $0.classify(json) }
            #expect(response.status == 200)
            let results = try #require(response.json["results"] as? [[String: Any]])
            try #require(results.count == 3)
            for (result, text) in zip(results, texts) {
                let expected = try #require(BundledModel.bundle.explain(text))
                let explanation = try #require(result["explanation"] as? [String: Any])
                let words = try #require(explanation["words"] as? [[String: Any]])
                #expect(words.count == expected.words.count)
                #expect((result["score"] as? Double).map(Float.init) == expected.score)
                #expect((explanation["baseline"] as? Double).map(Float.init) == expected.baseline)
            }
            // The long text was truncated: only its last words were read, and its start id was not.
            let maxLength = BundledModel.bundle.classifier.architecture.maxLength
            #expect(results[2]["truncated"] as? Bool == true)
            #expect(((results[2]["explanation"] as? [String: Any])?["words"] as? [Any])?.count == maxLength)
            #expect((results[1]["explanation"] as? [String: Any])?["words"] as? [Any] != nil)
            #expect(results[1]["label"] is NSNull && results[1]["reason"] as? String == "no_recognized_words")
        }

        @Test(arguments: TestTransport.allCases)
        func withoutExplainThereIsNoExplanation(_ transport: TestTransport) throws {
            let response = try EndToEnd.service().test(transport) { try $0.classify(#"{"text": "A fine film.", "explain": false}"#) }
            #expect(response.status == 200 && response.json["explanation"] == nil && response.json["label"] as? String == "positive")
        }
    }

    /// Text the model cannot read (no word it knows) gets no label, in single and batch requests alike, and a batch does
    /// not fail because of one such item.
    @Suite("POST /classify unreadable text")
    struct UnreadableTextTests {
        static let unreadable = [
            ("empty", ""), ("punctuation", "?!... --- (*) ;-)"), ("emoji", "😍😍👍 🎬🍿"), ("chinese", "这部电影非常精彩，演员的表演令人难忘。"),
            ("arabic", "فيلم رائع جدا، أحببته كثيرا"), ("mixed scripts and symbols", "日本語 😍 — !!! فيلم"), ("unknown words", "zxqvbnm blorptastic"),
        ]

        @Test(arguments: unreadable)
        func aTextWithNoRecognizedWordHasNoLabel(_ name: String, _ text: String) throws {
            let response = try EndToEnd.service().test(.inProcess) { try $0.classify(#"{"text": \#(RawHTTPClient.jsonString(text))}"#) }
            #expect(response.status == 200)
            let body = response.json
            #expect(body["label"] is NSNull, "\(name): \(response.text)")
            #expect(body["reason"] as? String == "no_recognized_words")
            let words = try #require(body["words"] as? [String: Int])
            let ids = BundledModel.vocabulary.encode(text)
            #expect(words == ["recognized": 0, "unrecognized": ids.count - 1], "\(name)")
            #expect(response.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(ids: ids)).description)
        }

        /// Recognised words among unreadable ones are read: such a text is labelled, with its counts.
        @Test func aMixedTextWithRecognizedWordsIsLabelled() throws {
            let response = try EndToEnd.service().test(.inProcess) {
                try $0.classify(#"{"text": \#(RawHTTPClient.jsonString("这部电影 was great 😍 — a true classic, zxqvbnm!"))}"#)
            }
            #expect(response.json["label"] as? String == "positive" && response.json["reason"] == nil)
            #expect(response.json["words"] as? [String: Int] == ["recognized": 5, "unrecognized": 1])
        }

        @Test(arguments: TestTransport.allCases)
        func aBatchWithOneUnreadableItemAnswersEveryItem(_ transport: TestTransport) throws {
            let texts = ["Dull, predictable and far too long.", "这部电影非常精彩", "I loved every minute of it."]
            let json = #"{"texts": [\#(texts.map(RawHTTPClient.jsonString).joined(separator: ", "))]}"#
            let response = try EndToEnd.service().test(transport) { try $0.classify(json) }
            #expect(response.status == 200)
            let results = try #require(response.json["results"] as? [[String: Any]])
            try #require(results.count == 3)
            #expect(results.map { $0["label"] as? String } == ["negative", nil, "positive"])
            #expect(results[1]["label"] is NSNull && results[1]["reason"] as? String == "no_recognized_words")
            #expect(results[0]["reason"] == nil && results[2]["reason"] == nil)
            #expect(
                results.map { $0["words"] as? [String: Int] } == [
                    ["recognized": 6, "unrecognized": 0], ["recognized": 0, "unrecognized": 0],
                    ["recognized": 6, "unrecognized": 0],
                ])
        }
    }
}
