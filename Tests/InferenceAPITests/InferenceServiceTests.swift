import Batching
import Dispatch
import Foundation
import HTTP1
import Locking
import SentimentModel
import TestSupport
import Testing

@testable import InferenceAPI

/// The API called in-process on ``StubModel``: what the service makes of the model behind the seam, and how
/// inline scheduling runs it. No sockets. Routes, error statuses and the real model's answers are run both
/// in-process and over a socket, from one body, by the end-to-end suites (`EndToEndTests`).
struct InferenceServiceTests {
    static func service(_ configuration: ServiceConfiguration = .init(), model: any ServedModel = StubModel()) -> InferenceService {
        InferenceService(model: model, configuration: configuration)
    }

    /// Inline scheduling: a request waits for the end of the round of the thread that handled it,
    /// and runs there, not at another thread's; requests handled in one round share one pass.
    @Test func inlineRequestsRunAtTheEndOfTheirOwnThreadsRound() throws {
        let stub = StubModel()
        let service = Self.service(ServiceConfiguration(batching: BatchingConfiguration(scheduling: .inline)), model: stub)
        let request = HTTPRequest(
            method: .POST, target: "/classify", headers: ["Content-Type": "application/json"], body: Array(#"{"text": "great film"}"#.utf8))
        let answers = Lock<[HTTPResponse]>([])
        for _ in 0..<2 {
            service.handle(request, context: RequestContext(remoteAddress: "test", connectionID: 1, receivedAt: .now)) { response in
                answers.withLock { $0.append(response) }
            }
        }
        let otherRoundEnded = DispatchSemaphore(value: 0)
        Thread {
            service.roundEnded()
            otherRoundEnded.signal()
        }.start()
        #expect(otherRoundEnded.wait(timeout: .now() + 10) == .success, "another thread's round did not end")
        #expect(answers.withLock { $0.isEmpty } && stub.recordedPasses.isEmpty)
        service.roundEnded()
        let responses = answers.withLock { $0 }
        #expect(responses.count == 2 && responses.allSatisfy { $0.status == .ok && $0.headers["X-Batch-Size"] == "2" })
        #expect(stub.recordedPasses.map(\.count) == [2])
    }

    /// Scores, labels, token counts and truncation come from the model behind the seam, in order.
    @Test func resultsComeFromTheServedModel() throws {
        let stub = StubModel(maxLength: 3)
        let json = #"{"texts": ["aaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "a b c d"]}"#
        let response = try Self.service(model: stub).test(.inProcess) { try $0.execute(.classify(json)) }
        #expect(response.status == 200)
        let results = try #require(response.json["results"] as? [[String: Any]])
        let expected = [[Int32(1), 7, 50], [1, 1, 1, 1, 1]].map(StubModel.score(of:))
        #expect(results.map { ($0["score"] as? Double).map(Float.init) } == expected)
        #expect(results.map { $0["label"] as? String } == expected.map { $0 >= 0.5 ? "positive" : "negative" })
        #expect(results.map { $0["tokens"] as? Int } == [3, 5])
        #expect(results.map { $0["truncated"] as? Bool } == [false, true])
        #expect(stub.recordedPasses.map { $0.map(\.ids) } == [[[1, 7, 50], [1, 1, 1, 1, 1]]])
        let model = try #require(response.json["model"] as? [String: Any])
        #expect(model["name"] as? String == "stub" && model["sha256"] as? String == stub.sha256)
    }

    @Test func batchShapesAnswerInOrder() throws {
        try Self.service().test(.inProcess) { client in
            let texts = try client.execute(.classify(#"{"texts": ["great film", "awful film", "great film"]}"#))
            #expect(texts.status == 200)
            let results = try #require(texts.json["results"] as? [[String: Any]])
            #expect(results.count == 3)
            #expect(results[0]["score"] as? Double == results[2]["score"] as? Double)
            let expected = [[Int32(1), 5, 4], [1, 5, 4], [1, 5, 4]].map(StubModel.score(of:))
            #expect(results.map { ($0["score"] as? Double).map(Float.init) } == expected)

            let long = (0..<9).map { _ in "7" }.joined(separator: ",")
            let tokens = try client.execute(.classify(#"{"tokens": [[1, 14, 22], [1, \#(long)]]}"#))
            #expect(tokens.status == 200)
            let tokenResults = try #require(tokens.json["results"] as? [[String: Any]])
            #expect(tokenResults.map { $0["tokens"] as? Int } == [3, 10])
            #expect(tokenResults.map { $0["truncated"] as? Bool } == [false, true])

            let single = try client.execute(.classify(#"{"tokens": [1, 14, 22]}"#))
            #expect(single.status == 200)
            #expect(single.json["score"] as? Double == tokenResults[0]["score"] as? Double)
        }
    }

    @Test(arguments: [
        ("application/json", true), ("Application/JSON", true), ("application/json; charset=utf-8", true),
        (" \tapplication/json\t;", true), ("APPLICATION/JSON;charset=UTF-8", true),
        ("application/jsonx", false), ("application/json5", false), ("text/json", false), ("", false), (";", false),
        ("application/ json", false), ("application/js", false), ("application/json\u{0}", false), ("applicationéjson", false),
    ])
    func contentTypeIsJSONExactlyWhenItsMediaTypeIs(contentType: String, isJSON: Bool) {
        #expect(InferenceService.isJSONMediaType(contentType) == isJSON)
    }

    /// `/v1/models` and `/v1/models/<name>` describe the served model from its ``ServedModel/details``; a query is ignored,
    /// and so is the authority of an absolute-form target.
    @Test func modelRoutesDescribeTheServedModel() throws {
        try Self.service().test(.inProcess) { client in
            let models = try client.execute("GET", "/v1/models")
            #expect(models.status == 200)
            let info = try #require((models.json["models"] as? [[String: Any]])?.first)
            #expect(info["parameters"] as? Int == 42)
            #expect(info["max_length"] as? Int == 8)
            #expect(info["vocabulary_size"] as? Int == 100)
            #expect(info["labels"] as? [String] == ["negative", "positive"])
            #expect(info["accepts_text"] as? Bool == true)
            let one = try client.execute("GET", "/v1/models/stub?verbose=1")
            #expect(one.status == 200)
            #expect(one.json["sha256"] as? String == StubModel().sha256)
            #expect(try client.execute("GET", "/v1/models/other").status == 404)
            // An absolute-form target (RFC 9112 §3.2.2) routes on its path.
            #expect(try client.execute("GET", "http://test/v1/models/stub?verbose=1").status == 200)
        }
    }
}
