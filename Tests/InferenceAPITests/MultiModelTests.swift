import HTTP1
import Locking
import SentimentModel
import Telemetry
import TestSupport
import Testing

@testable import InferenceAPI

/// Two models served side by side: each route answers with the model it names, the first answers requests that
/// name none, each model batches alone and is counted under its own `model` label.
struct MultiModelTests {
    let first = StubModel(name: "a-file", sha256: String(repeating: "a", count: 64))
    let second = StubModel(name: "b-file", sha256: String(repeating: "b", count: 64), vocabularySize: 50, maxLength: 4)

    func service(exporter: MetricsExporter? = nil) -> InferenceService {
        let models: [(name: String, model: any ServedModel)] = [("alpha", first), ("beta", second)]
        guard let exporter else { return InferenceService(models: models) }
        return InferenceService(models: models, metrics: exporter.factory, exposition: { exporter.exposition() })
    }

    @Test func everyRouteAnswersWithTheModelItNames() throws {
        let service = self.service()
        let classify = try exchange(service, .POST, "/classify", json: #"{"tokens": [1, 2], "model": "beta"}"#)
        #expect((classify.object["model"] as? [String: String]) == ["name": "beta", "sha256": second.sha256])
        let byDefault = try exchange(service, .POST, "/classify", json: #"{"tokens": [1, 2]}"#)
        #expect((byDefault.object["model"] as? [String: String])?["name"] == "alpha", "the first model answers requests naming none")
        let unknown = try exchange(service, .POST, "/classify", json: #"{"tokens": [1, 2], "model": "gamma"}"#)
        #expect(unknown.status == .notFound && (unknown.object["error"] as? [String: Any])?["code"] as? String == "not_found")
        let badName = try exchange(service, .POST, "/classify", json: #"{"tokens": [1, 2], "model": 7}"#)
        #expect(badName.status == .badRequest)

        let infer = try exchange(
            service, .POST, "/v2/models/beta/infer", json: #"{"inputs": [{"name": "tokens", "shape": [1, 2], "datatype": "INT64", "data": [1, 2]}]}"#)
        #expect(infer.object["model_name"] as? String == "beta")
        #expect((infer.object["parameters"] as? [String: String])?["sha256"] == second.sha256)
        // beta's ids stop at 50: the same id is fine for alpha, out of range for beta.
        #expect(try exchange(service, .POST, "/v1/models/alpha:predict", json: #"{"instances": [[1, 60]]}"#).status == .ok)
        #expect(try exchange(service, .POST, "/v1/models/beta:predict", json: #"{"instances": [[1, 60]]}"#).status == .badRequest)
        #expect(try exchange(service, .GET, "/v2/models/beta").object["name"] as? String == "beta")
        #expect(try exchange(service, .GET, "/v1/models/beta").object["max_length"] as? Int == 4)

        let list = try exchange(service, .GET, "/v1/models")
        let models = try #require(list.object["models"] as? [[String: Any]])
        #expect(models.map { $0["name"] as? String } == ["alpha", "beta"])
        #expect(models.map { $0["source"] as? String } == ["stub.keras", "stub.keras"])
    }

    /// Requests for both models handled in one round: one pass per model, never a mixed one.
    @Test func eachModelBatchesAlone() throws {
        let service = self.service()
        let answers = Lock<[HTTPResponse]>([])
        let context = RequestContext(remoteAddress: "test", connectionID: 1, receivedAt: .now)
        let bodies = [#"{"tokens": [1, 3]}"#, #"{"tokens": [1, 4], "model": "beta"}"#, #"{"tokens": [1, 5], "model": "alpha"}"#]
        for body in bodies {
            let request = HTTPRequest(method: .POST, target: "/classify", headers: ["Content-Type": "application/json"], body: Array(body.utf8))
            service.handle(request, context: context) { response in answers.withLock { $0.append(response) } }
        }
        let infer = HTTPRequest(
            method: .POST, target: "/v2/models/beta/infer",
            body: Array(#"{"inputs": [{"name": "tokens", "shape": [1, 2], "datatype": "INT64", "data": [1, 6]}]}"#.utf8))
        service.handle(infer, context: context) { response in answers.withLock { $0.append(response) } }
        service.roundEnded()
        #expect(answers.withLock { $0.map(\.status) } == [.ok, .ok, .ok, .ok])
        #expect(first.recordedPasses.map { $0.map(\.ids) } == [[[1, 3], [1, 5]]])
        #expect(second.recordedPasses.map { $0.map(\.ids) } == [[[1, 4], [1, 6]]])
    }

    @Test func passesAndVersionsAreCountedPerModel() throws {
        let exporter = MetricsExporter(descriptions: InferenceService.metricDescriptions)
        let service = self.service(exporter: exporter)
        _ = try exchange(service, .POST, "/classify", json: #"{"tokens": [[1, 3], [1, 4], [1, 5]]}"#)
        _ = try exchange(service, .POST, "/classify", json: #"{"tokens": [1, 4], "model": "beta"}"#)
        let replaced = try #require(service.replaceModel(StubModel(sha256: String(repeating: "c", count: 64)), named: "beta"))
        #expect(replaced.version == 2 && service.slot(named: "alpha")?.loaded.version == 1)
        #expect(service.replaceModel(StubModel(), named: "gamma") == nil)
        let samples = PrometheusSamples(exporter.exposition())
        #expect(samples["lstm_serve_batch_size_sum", ["model": "alpha"]] == 3)
        #expect(samples["lstm_serve_batch_size_sum", ["model": "beta"]] == 1)
        #expect(samples["lstm_serve_model_info", ["name": "alpha", "sha256": first.sha256, "version": "1"]] == 1)
        #expect(samples["lstm_serve_model_info", ["name": "beta", "sha256": second.sha256, "version": "1"]] == nil)
        #expect(samples["lstm_serve_model_info", ["name": "beta", "sha256": String(repeating: "c", count: 64), "version": "2"]] == 1)
    }
}
