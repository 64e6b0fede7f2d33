import HTTP1
import Testing

@testable import InferenceAPI

/// TF Serving's `:predict` in-process on ``StubModel``: the row and columnar formats as a Keras user sends them, and
/// TF Serving's error shape.
struct TFServingTests {
    let stub = StubModel()
    var service: InferenceService { InferenceService(model: stub) }

    static func scores(_ response: HTTPResponse, _ key: String) -> [[Float]]? {
        (response.object[key] as? [[Double]])?.map { $0.map(Float.init) }
    }

    @Test(arguments: [
        (#"{"instances": [[0, 0, 1, 14, 22], [1, 7, 7, 7]]}"#, "predictions"),
        (#"{"signature_name": "serving_default", "instances": [{"tokens": [1, 14, 22]}, {"tokens": [0, 1, 7, 7, 7]}]}"#, "predictions"),
        (#"{"inputs": [[1, 14, 22], [0, 0, 0, 0, 1, 7, 7, 7]]}"#, "outputs"),
        (#"{"inputs": {"tokens": [[0, 1, 14, 22], [1, 7, 7, 7]]}}"#, "outputs"),
    ])
    func rowAndColumnarFormatsScoreAsUnpadded(json: String, key: String) throws {
        for path in ["/v1/models/stub:predict", "/v1/models/stub/versions/1:predict"] {
            let response = try exchange(service, .POST, path, json: json)
            #expect(response.status == .ok, "\(String(decoding: response.body, as: UTF8.self))")
            #expect(Self.scores(response, key) == [[StubModel.score(of: [1, 14, 22])], [StubModel.score(of: [1, 7, 7, 7])]])
            #expect(response.headers["X-Batch-Size"] == "2")
        }
    }

    @Test func textsArePredictedToo() throws {
        let response = try exchange(service, .POST, "/v1/models/stub:predict", json: #"{"instances": ["great film"]}"#)
        #expect(Self.scores(response, "predictions") == [[StubModel.score(of: [1, 5, 4])]])
    }

    @Test(arguments: [
        (#"{"instances": [[1, 2]], "inputs": [[1, 2]]}"#, 400, "not both"),
        (#"{}"#, 400, "needs instances"),
        (#"{"instances": [[1, 2]], "signature_name": "predict"}"#, 400, "no signature 'predict'"),
        (#"{"instances": [[1, 2]], "extra": 1}"#, 400, "unknown field 'extra'"),
        (#"{"instances": [[1, 200]]}"#, 400, "outside the model's ids"),
        (#"{"instances": [[0, 0]]}"#, 400, "empty"),
        (#"{"instances": []}"#, 400, "empty"),
        (#"{"instances": [{"a": [1], "b": [1]}]}"#, 400, "names 2 inputs"),
        (#"{"instances": [1.5]}"#, 400, "wrong type"),
        (#"{"instances": [[1, 2]]"#, 400, "not valid JSON"),
    ])
    func wrongRequestsAnswerInTFServingsShape(json: String, status: Int, message: String) throws {
        let response = try exchange(service, .POST, "/v1/models/stub:predict", json: json)
        #expect(response.status.code == status)
        let error = try #require(response.plainError, "\(String(decoding: response.body, as: UTF8.self))")
        #expect(error.contains(message), "\(error)")
    }

    @Test func unknownModelsVersionsAndMethods() throws {
        let service = self.service
        for path in ["/v1/models/nope:predict", "/v1/models/stub/versions/7:predict", "/v1/models/:predict"] {
            let response = try exchange(service, .POST, path, json: #"{"instances": [[1]]}"#)
            #expect(response.status == .notFound && response.plainError != nil, "\(path)")
        }
        let get = try exchange(service, .GET, "/v1/models/stub:predict")
        #expect(get.status == .methodNotAllowed && get.headers["Allow"] == "POST")
    }

    /// `GET /v1/models/{name}[/versions/{v}]` carries TF Serving's `model_version_status` beside today's fields.
    @Test func modelStatusHasTFServingsShape() throws {
        for path in ["/v1/models/stub", "/v1/models/stub/versions/1"] {
            let response = try exchange(service, .GET, path)
            #expect(response.status == .ok)
            #expect(response.object["sha256"] as? String == stub.sha256 && response.object["source"] as? String == "stub.keras")
            let status = try #require((response.object["model_version_status"] as? [[String: Any]])?.first)
            #expect(status["version"] as? String == "1" && status["state"] as? String == "AVAILABLE")
            #expect((status["status"] as? [String: String]) == ["error_code": "OK", "error_message": ""])
        }
        let missing = try exchange(service, .GET, "/v1/models/stub/versions/2")
        #expect(missing.status == .notFound && (missing.object["error"] as? [String: Any])?["code"] as? String == "not_found")
    }
}
