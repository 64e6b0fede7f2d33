import HTTP1
import SentimentModel
import TestSupport
import Testing

@testable import InferenceAPI

/// `"explain"` beside a `POST /classify` body's input, and the word counts every text result carries, on ``StubModel``
/// (a word's id is its length, so a two-letter word is the out-of-vocabulary id). The real model's explanations are
/// checked end to end (`EndToEndTests`) and against Keras (`SentimentModelTests`).
struct ClassifyOptionsTests {
    @Test(
        arguments: [
            (#"{"text": "a", "explain": true}"#, ClassifyRequest.text("a"), true),
            (#"{"explain": true, "texts": ["a", "b"]}"#, .texts(["a", "b"]), true),
            (#"{"text": "a", "explain": false}"#, .text("a"), false),
            (#"{"tokens": [1, 4], "explain": true}"#, .tokens([1, 4]), true),
            (#"{"text": "a"}"#, .text("a"), false),
        ] as [(String, ClassifyRequest, Bool)])
    func explainIsAnOptionBesideTheInput(json: String, request: ClassifyRequest, explain: Bool) throws {
        var options = ClassifyOptions()
        #expect(try ClassifyRequest.parse(Array(json.utf8), options: &options) == request)
        #expect(options.explain == explain)
    }

    @Test(
        arguments: [
            (#"{"explain": true}"#, "needs one of the fields text, texts or tokens"),
            (#"{"text": "a", "explain": "yes"}"#, "field explain has the wrong type (expected a boolean, got a string)"),
            (#"{"text": "a", "explain": 1}"#, "field explain has the wrong type (expected a boolean, got a number)"),
            (#"{"text": "a", "explain": null}"#, "field explain has the wrong type (expected a boolean, got null)"),
            (#"{"text": "a", "explain": true, "explain": false}"#, "field explain appears more than once"),
            (#"{"text": "a", "explain": tru}"#, "expected true"),
            (#"{"text": "a", "explain": true, "texts": ["b"]}"#, "not text and texts"),
            (#"{"text": "a", "explained": true}"#, "unknown field 'explained'"),
        ] as [(String, String)])
    func aBadExplainFieldIsABadRequest(json: String, message: String) {
        var options = ClassifyOptions()
        #expect {
            _ = try ClassifyRequest.parse(Array(json.utf8), options: &options)
        } throws: { error in
            guard let error = error as? ServiceError else { return false }
            return error.code == "invalid_request" && error.message.contains(message)
        }
    }

    @Test func tokenRequestsCannotBeExplained() throws {
        let service = InferenceService(model: StubModel())
        for json in [#"{"tokens": [1, 4], "explain": true}"#, #"{"tokens": [[1, 4]], "explain": true}"#] {
            let response = try service.test(.inProcess) { try $0.execute(.classify(json)) }
            #expect(response.status == 422 && response.errorCode == "explain_unavailable", "\(json): \(response.text)")
            #expect(response.text.contains("token ids have no words to explain"))
        }
    }

    /// Explanations cost many times a score, so one request explains a bounded number of texts.
    @Test func explainTakesABoundedNumberOfTexts() throws {
        let service = InferenceService(model: StubModel())
        let limit = InferenceService.maxExplainedTexts
        for count in [limit, limit + 1] {
            let json = #"{"explain": true, "texts": [\#(Array(repeating: "\"great film\"", count: count).joined(separator: ","))]}"#
            let response = try service.test(.inProcess) { try $0.execute(.classify(json)) }
            #expect(response.status == 422, "\(count) texts")
            // Within the limit, the stub's own refusal to explain; beyond it, the limit.
            #expect(response.errorCode == (count > limit ? "batch_too_large" : "explain_unavailable"), "\(count) texts: \(response.text)")
        }
    }

    /// A model that cannot explain (the protocol's default) says so instead of answering without an explanation.
    @Test func aModelThatCannotExplainSaysSo() throws {
        let response = try InferenceService(model: StubModel()).test(.inProcess) {
            try $0.execute(.classify(#"{"text": "great film", "explain": true}"#))
        }
        #expect(response.status == 422 && response.errorCode == "explain_unavailable", "\(response.text)")
    }

    /// Text results count the words recognised and not; a text with none recognised has no label and says why. Token
    /// results carry neither: their ids are the client's.
    @Test func textResultsCountTheirWordsAndUnreadableOnesHaveNoLabel() throws {
        let json = #"{"texts": ["great film", "an ox is ok", "", "great ox"]}"#
        let response = try InferenceService(model: StubModel()).test(.inProcess) { try $0.execute(.classify(json)) }
        #expect(response.status == 200)
        let results = try #require(response.json["results"] as? [[String: Any]])
        try #require(results.count == 4)
        let counts = results.map { ($0["words"] as? [String: Int]).map { [$0["recognized"], $0["unrecognized"]] } }
        #expect(counts == [[2, 0], [0, 4], [0, 0], [1, 1]])
        for (index, result) in results.enumerated() {
            let readable = index == 0 || index == 3
            #expect((result["label"] is String) == readable, "\(result)")
            #expect(result.keys.contains("label") && result["score"] is Double, "\(result)")
            #expect(result["reason"] as? String == (readable ? nil : "no_recognized_words"), "\(result)")
        }
        #expect(response.text.contains(#""label":null,"score":"#))

        let tokens = try InferenceService(model: StubModel()).test(.inProcess) { try $0.execute(.classify(#"{"tokens": [1, 2, 2]}"#)) }
        #expect(tokens.status == 200 && tokens.json["label"] is String && tokens.json["words"] == nil && tokens.json["reason"] == nil)
    }
}
