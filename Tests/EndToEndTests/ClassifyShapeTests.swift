import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// Item 1: `POST /classify` answers each of its four body shapes with the scores the model computes alone,
    /// in-process and over a real socket.
    @Suite("POST /classify body shapes")
    struct ClassifyShapeTests {
        /// The text every shape is built from.
        static let review = "A wonderful, moving film with brilliant acting and a story that stays with you."
        static let otherReview = "Dull, predictable and far too long; the worst film I have seen in years."

        @Test(arguments: TestTransport.allCases)
        func aSingleTextIsClassifiedWithLabelScoreTokensAndModel(_ transport: TestTransport) throws {
            let response = try EndToEnd.service().test(transport) { client in
                try client.classify(#"{"text": \#(RawHTTPClient.jsonString(Self.review))}"#)
            }
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("X-Batch-Size") == "1")
            let ids = BundledModel.vocabulary.encode(Self.review)
            try Self.expectResult(response.json, rawScore: response.rawNumbers(for: "score").first, ids: ids)
            Self.expectModel(response.json)
        }

        @Test(arguments: TestTransport.allCases)
        func aBatchOfTextsIsClassifiedInOrder(_ transport: TestTransport) throws {
            let texts = [Self.review, Self.otherReview, Self.review]
            let json = #"{"texts": [\#(texts.map(RawHTTPClient.jsonString).joined(separator: ", "))]}"#
            let response = try EndToEnd.service().test(transport) { try $0.classify(json) }
            #expect(response.status == 200)
            #expect(Int(response.header("X-Batch-Size") ?? "") ?? 0 >= 1)
            let results = try #require(response.json["results"] as? [[String: Any]])
            let scores = response.rawNumbers(for: "score")
            try #require(results.count == 3 && scores.count == 3)
            for (index, text) in texts.enumerated() {
                try Self.expectResult(results[index], rawScore: scores[index], ids: BundledModel.vocabulary.encode(text))
            }
            Self.expectModel(response.json)
        }

        @Test(arguments: TestTransport.allCases)
        func oneTokenSequenceIsClassifiedLikeTheModel(_ transport: TestTransport) throws {
            let ids: [Int32] = [1, 14, 22, 16, 43, 530, 973]
            let json = #"{"tokens": [\#(ids.map(String.init).joined(separator: ","))]}"#
            let response = try EndToEnd.service().test(transport) { try $0.classify(json) }
            #expect(response.status == 200)
            #expect(response.header("X-Batch-Size") == "1")
            try Self.expectResult(response.json, rawScore: response.rawNumbers(for: "score").first, ids: ids)
            Self.expectModel(response.json)
        }

        @Test(arguments: TestTransport.allCases)
        func aBatchOfTokenSequencesIsClassifiedAndALongOneIsMarkedTruncated(_ transport: TestTransport) throws {
            let maxLength = BundledModel.bundle.classifier.architecture.maxLength
            let short: [Int32] = [1, 14, 22, 16]
            let long: [Int32] = [1] + (0..<(maxLength + 20)).map { Int32(4 + $0 % 500) }
            let json = #"{"tokens": [[\#(short.map(String.init).joined(separator: ","))], [\#(long.map(String.init).joined(separator: ","))]]}"#
            let response = try EndToEnd.service().test(transport) { try $0.classify(json) }
            #expect(response.status == 200)
            #expect(response.header("X-Batch-Size") != nil)
            let results = try #require(response.json["results"] as? [[String: Any]])
            let scores = response.rawNumbers(for: "score")
            try #require(results.count == 2 && scores.count == 2)
            try Self.expectResult(results[0], rawScore: scores[0], ids: short)
            try Self.expectResult(results[1], rawScore: scores[1], ids: long)
            #expect(results[1]["truncated"] as? Bool == true)
        }

        /// The media type is matched without regard to case, and its parameters are ignored.
        @Test(arguments: TestTransport.allCases)
        func aJSONContentTypeInAnyCaseWithParametersIsAccepted(_ transport: TestTransport) throws {
            let request = TestRequest("POST", "/classify", headers: ["Content-Type: Application/JSON; charset=utf-8"], body: #"{"tokens": [1, 14]}"#)
            let response = try EndToEnd.service().test(transport) { try $0.execute(request) }
            #expect(response.status == 200)
            #expect(response.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(ids: [1, 14])).description)
        }

        /// Checks one result object against the unbatched forward pass, bit for bit.
        static func expectResult(_ result: [String: Any], rawScore: String?, ids: [Int32]) throws {
            let expected = try Fixtures.unbatchedScore(ids: ids)
            let maxLength = BundledModel.bundle.classifier.architecture.maxLength
            #expect(rawScore == expected.description)
            #expect(rawScore.flatMap { Float($0) }?.bitPattern == expected.bitPattern)
            #expect(result["label"] as? String == (expected >= 0.5 ? "positive" : "negative"))
            #expect(result["tokens"] as? Int == ids.count)
            #expect(result["truncated"] as? Bool == (ids.count > maxLength))
        }

        /// Checks the `model` object every classify response carries.
        static func expectModel(_ body: [String: Any]) {
            let model = body["model"] as? [String: Any]
            #expect(model?["name"] as? String == "imdb-lstm")
            #expect(model?["sha256"] as? String == BundledModel.bundle.sha256)
        }
    }
}
