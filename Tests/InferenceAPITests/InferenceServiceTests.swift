import Batching
import Dispatch
import Foundation
import HTTP1
import SentimentModel
import Synchronization
import TestSupport
import Testing

@testable import InferenceAPI

/// The API called in-process with request values: routes, shapes, errors. No sockets. Most tests
/// run on ``StubModel``; the first checks the real model behind the same seam.
struct InferenceServiceTests {
    static let model = BundledModel.bundle

    static func service(_ configuration: ServiceConfiguration = .init(), model: any ServedModel = StubModel()) -> InferenceService {
        InferenceService(model: model, configuration: configuration)
    }

    static func send(_ service: InferenceService, _ method: HTTPMethod, _ target: String, json: String? = nil, contentType: String? = "application/json") async -> (HTTPResponse, [String: Any]) {
        var headers: HTTPHeaders = [:]
        if json != nil, let contentType { headers.add(name: "Content-Type", value: contentType) }
        let request = HTTPRequest(method: method, target: target, headers: headers, body: Array((json ?? "").utf8))
        let context = RequestContext(remoteAddress: "test", connectionID: 1, receivedAt: .now)
        let response = await withCheckedContinuation { continuation in
            service.handle(request, context: context) { continuation.resume(returning: $0) }
            // What an I/O thread does once it has read a round of requests: the inline scheduler's pass runs here.
            service.roundEnded()
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response, object)
    }

    @Test func classifiesOneTextLikeTheModel() async throws {
        let service = Self.service(model: Self.model)
        let text = "A wonderful, moving film with brilliant acting."
        let (response, body) = await Self.send(service, .POST, "/classify", json: #"{"text": "\#(text)"}"#)
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.headers["X-Batch-Size"] == "1")
        let ids = try #require(Self.model.vocabulary).encode(text)
        let expected = try Self.model.classifier.predict([ids])[0]
        #expect((body["score"] as? Double).map { Float($0) } == expected)
        #expect(body["label"] as? String == (expected >= 0.5 ? "positive" : "negative"))
        #expect(body["tokens"] as? Int == ids.count)
        #expect(body["truncated"] as? Bool == false)
        let model = try #require(body["model"] as? [String: Any])
        #expect(model["name"] as? String == "imdb-lstm")
        #expect(model["sha256"] as? String == Self.model.sha256)
    }

    /// Inline scheduling: a request waits for the end of the round of the thread that handled it,
    /// and runs there, not at another thread's; requests handled in one round share one pass.
    @Test func inlineRequestsRunAtTheEndOfTheirOwnThreadsRound() throws {
        let stub = StubModel()
        let service = Self.service(ServiceConfiguration(batching: BatchingConfiguration(scheduling: .inline)), model: stub)
        let request = HTTPRequest(
            method: .POST, target: "/classify", headers: ["Content-Type": "application/json"], body: Array(#"{"text": "great film"}"#.utf8))
        let answers = Mutex<[HTTPResponse]>([])
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
    @Test func resultsComeFromTheServedModel() async throws {
        let stub = StubModel(maxLength: 3)
        let (response, body) = await Self.send(Self.service(model: stub), .POST, "/classify", json: #"{"texts": ["aaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "a b c d"]}"#)
        #expect(response.status == .ok)
        let results = try #require(body["results"] as? [[String: Any]])
        let expected = [[Int32(1), 7, 50], [1, 1, 1, 1, 1]].map(StubModel.score(of:))
        #expect(results.map { ($0["score"] as? Double).map(Float.init) } == expected)
        #expect(results.map { $0["label"] as? String } == expected.map { $0 >= 0.5 ? "positive" : "negative" })
        #expect(results.map { $0["tokens"] as? Int } == [3, 5])
        #expect(results.map { $0["truncated"] as? Bool } == [false, true])
        #expect(stub.recordedPasses.map { $0.map(\.ids) } == [[[1, 7, 50], [1, 1, 1, 1, 1]]])
        let model = try #require(body["model"] as? [String: Any])
        #expect(model["name"] as? String == "stub" && model["sha256"] as? String == stub.sha256)
    }

    @Test func batchShapesAnswerInOrder() async throws {
        let service = Self.service()
        let (response, body) = await Self.send(service, .POST, "/classify", json: #"{"texts": ["great film", "awful film", "great film"]}"#)
        #expect(response.status == .ok)
        let results = try #require(body["results"] as? [[String: Any]])
        #expect(results.count == 3)
        #expect(results[0]["score"] as? Double == results[2]["score"] as? Double)
        #expect(results.map { ($0["score"] as? Double).map(Float.init) } == [[Int32(1), 5, 4], [1, 5, 4], [1, 5, 4]].map(StubModel.score(of:)))

        let long = (0..<9).map { _ in "7" }.joined(separator: ",")
        let (tokenResponse, tokenBody) = await Self.send(service, .POST, "/classify", json: #"{"tokens": [[1, 14, 22], [1, \#(long)]]}"#)
        #expect(tokenResponse.status == .ok)
        let tokenResults = try #require(tokenBody["results"] as? [[String: Any]])
        #expect(tokenResults.map { $0["tokens"] as? Int } == [3, 10])
        #expect(tokenResults.map { $0["truncated"] as? Bool } == [false, true])

        let (single, singleBody) = await Self.send(service, .POST, "/classify", json: #"{"tokens": [1, 14, 22]}"#)
        #expect(single.status == .ok)
        #expect(singleBody["score"] as? Double == tokenResults[0]["score"] as? Double)
    }

    @Test(arguments: [
        ("not json", 400, "invalid_request"),
        ("[1, 2]", 400, "invalid_request"),
        (#"{"text": 5}"#, 400, "invalid_request"),
        (#"{"texts": "one"}"#, 400, "invalid_request"),
        (#"{"tokens": [1.5]}"#, 400, "invalid_request"),
        (#"{"text": "a", "texts": ["b"]}"#, 400, "invalid_request"),
        (#"{"txt": "a"}"#, 400, "invalid_request"),
        ("{}", 400, "invalid_request"),
        ("", 400, "invalid_request"),
        (#"{"tokens": [1, 100]}"#, 422, "token_out_of_range"),
        (#"{"tokens": [[1], [-3]]}"#, 422, "token_out_of_range"),
        (#"{"texts": []}"#, 422, "empty_batch"),
        (#"{"tokens": []}"#, 422, "empty_sequence"),
        (#"{"tokens": [[1, 5], []]}"#, 422, "empty_sequence"),
    ])
    func badBodiesGetTheRightStatusAndCode(json: String, status: Int, code: String) async {
        let (response, body) = await Self.send(Self.service(), .POST, "/classify", json: json)
        #expect(response.status.code == status)
        if !code.isEmpty {
            #expect((body["error"] as? [String: Any])?["code"] as? String == code)
            #expect(((body["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false)
        }
    }

    @Test func perRequestLimitIs422() async {
        let service = Self.service(.init(maxItemsPerRequest: 2))
        let (response, body) = await Self.send(service, .POST, "/classify", json: #"{"texts": ["a", "b", "c"]}"#)
        #expect(response.status.code == 422)
        #expect((body["error"] as? [String: Any])?["code"] as? String == "batch_too_large")
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

    @Test func wrongContentTypeIs415() async {
        let (response, _) = await Self.send(Self.service(), .POST, "/classify", json: #"{"text": "a"}"#, contentType: "text/plain")
        #expect(response.status.code == 415)
        let (ok, _) = await Self.send(Self.service(), .POST, "/classify", json: #"{"text": "a"}"#, contentType: "Application/JSON; charset=utf-8")
        #expect(ok.status.code == 200)
    }

    @Test func textWithoutAVocabularyIs422() async throws {
        let service = Self.service(model: StubModel(acceptsText: false))
        let (response, body) = await Self.send(service, .POST, "/classify", json: #"{"text": "good"}"#)
        #expect(response.status.code == 422)
        #expect((body["error"] as? [String: Any])?["code"] as? String == "no_vocabulary")
        let (tokens, _) = await Self.send(service, .POST, "/classify", json: #"{"tokens": [1, 50]}"#)
        #expect(tokens.status == .ok)
    }

    @Test func routesAndMethods() async throws {
        let service = Self.service()
        #expect(await Self.send(service, .GET, "/healthz").0.status == .ok)
        #expect(await Self.send(service, .GET, "/readyz").0.status == .ok)
        #expect(await Self.send(service, .GET, "/nope").0.status.code == 404)
        let (notAllowed, _) = await Self.send(service, .GET, "/classify")
        #expect(notAllowed.status.code == 405)
        #expect(notAllowed.headers["Allow"] == "POST")
        #expect(await Self.send(service, .POST, "/healthz").0.headers["Allow"] == "GET, HEAD")

        let (models, body) = await Self.send(service, .GET, "/v1/models")
        #expect(models.status == .ok)
        let info = try #require((body["models"] as? [[String: Any]])?.first)
        #expect(info["parameters"] as? Int == 42)
        #expect(info["max_length"] as? Int == 8)
        #expect(info["vocabulary_size"] as? Int == 100)
        #expect(info["labels"] as? [String] == ["negative", "positive"])
        #expect(info["accepts_text"] as? Bool == true)
        let (one, oneBody) = await Self.send(service, .GET, "/v1/models/stub?verbose=1")
        #expect(one.status == .ok)
        #expect(oneBody["sha256"] as? String == StubModel().sha256)
        #expect(await Self.send(service, .GET, "/v1/models/other").0.status.code == 404)

        service.beginDraining()
        let (draining, drainingBody) = await Self.send(service, .GET, "/readyz")
        #expect(draining.status.code == 503)
        #expect((drainingBody["error"] as? [String: Any])?["code"] as? String == "not_ready")
        #expect(await Self.send(service, .GET, "/healthz").0.status == .ok)
    }
}
