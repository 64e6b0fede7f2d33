import Batching
import HTTP1
import HTTPServerCore
import Telemetry
import TestSupport
import Testing

@testable import InferenceAPI

/// What the service records, read back from the exposition `GET /metrics` answers with: each test its own registry,
/// injected, so none shares swift-metrics' global factory.
struct ServiceMetricsTests {
    /// A service on ``StubModel`` whose metrics go to a registry of its own, served at `/metrics`.
    static func service(_ configuration: ServiceConfiguration = .init(), model: any ServedModel = StubModel()) -> InferenceService {
        let exporter = MetricsExporter(descriptions: InferenceService.metricDescriptions)
        return InferenceService(model: model, configuration: configuration, metrics: exporter.factory, exposition: { exporter.exposition() })
    }

    static func scrape(_ client: any TestClient) throws -> PrometheusSamples {
        let response = try client.execute("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        return PrometheusSamples(response.body)
    }

    @Test func requestsAreCountedByRouteAndStatusWithTheirDurations() throws {
        try Self.service().test(.inProcess) { client in
            #expect(try client.execute(.classify(#"{"texts": ["great film", "awful", "a b c"]}"#)).status == 200)
            #expect(try client.execute(.classify(#"{"tokens": []}"#)).status == 422)
            #expect(try client.execute("GET", "/healthz").status == 200)
            #expect(try client.execute("GET", "/v1/models/stub").status == 200)
            #expect(try client.execute("GET", "/no/such/path?x=1").status == 404)
            #expect(try client.execute("GET", "/classify").status == 405)
            let samples = try Self.scrape(client)
            let requests = "lstm_serve_http_requests_total"
            #expect(samples[requests, ["route": "/classify", "status": "200"]] == 1)
            #expect(samples[requests, ["route": "/classify", "status": "422"]] == 1)
            #expect(samples[requests, ["route": "/classify", "status": "405"]] == 1)
            #expect(samples[requests, ["route": "/healthz", "status": "200"]] == 1)
            #expect(samples[requests, ["route": "/v1/models/{name}", "status": "200"]] == 1)
            #expect(samples[requests, ["route": "other", "status": "404"]] == 1)
            #expect(samples[requests, ["route": "/readyz", "status": "200"]] == 0)
            #expect(!samples.values.keys.contains { $0.contains("/no/such/path") }, "a raw path became a label value")
            let duration = "lstm_serve_http_request_duration_seconds"
            #expect(samples[duration + "_count", ["route": "/classify"]] == 3)
            #expect(samples[duration + "_bucket", ["route": "/classify", "le": "10.0"]] == 3)
            #expect((samples[duration + "_sum", ["route": "/classify"]] ?? -1) > 0)
            // The scrape is itself a request in flight.
            #expect(samples["lstm_serve_requests_in_flight"] == 1)
            #expect(samples.types[requests] == "counter" && samples.types[duration] == "histogram")
            #expect(samples.types.keys.allSatisfy { samples.help[$0] != nil }, "a metric without a # HELP line")
        }
    }

    /// One pass over a request's three texts: one batch of 3, three queue waits, the tokens read (capped at the
    /// model's maximum length, 8 here).
    @Test func forwardPassesRecordBatchSizeQueueWaitAndTokens() throws {
        try Self.service().test(.inProcess) { client in
            let response = try client.execute(.classify(#"{"texts": ["great film", "a b c d e f g h i j k l", "x"]}"#))
            #expect(response.status == 200)
            let samples = try Self.scrape(client)
            #expect(samples["lstm_serve_batch_size_count", ["model": "stub"]] == 1)
            #expect(samples["lstm_serve_batch_size_sum", ["model": "stub"]] == 3)
            #expect(samples["lstm_serve_batch_size_bucket", ["model": "stub", "le": "2.0"]] == 0)
            #expect(samples["lstm_serve_batch_size_bucket", ["model": "stub", "le": "4.0"]] == 1)
            #expect(samples["lstm_serve_batch_size_bucket", ["model": "stub", "le": "256.0"]] == 1)
            #expect(samples["lstm_serve_batch_queue_wait_seconds_count", ["model": "stub"]] == 3)
            #expect(samples["lstm_serve_forward_pass_duration_seconds_count", ["model": "stub"]] == 1)
            #expect(samples["lstm_serve_forward_pass_tokens_sum", ["model": "stub"]] == Double(3 + 8 + 2))
        }
    }

    /// The server's refusals are counted by reason when the service renders them; the service's own overload too.
    @Test func refusalsAndOverloadAreCountedByReason() throws {
        let service = Self.service(ServiceConfiguration(batching: BatchingConfiguration(scheduling: .inline, maxQueueSize: 2)))
        #expect(service.response(for: .malformed(.bodyTooLarge)).status == .contentTooLarge)
        #expect(service.response(for: .malformed(.tooManyHeaders)).status == .requestHeaderFieldsTooLarge)
        #expect(service.response(for: .malformed(.invalidHost)).status == .badRequest)
        #expect(service.response(for: .headTimeout).status == .requestTimeout)
        #expect(service.response(for: .tooManyConnections).status == .serviceUnavailable)
        try service.test(.inProcess) { client in
            #expect(try client.execute(.classify(#"{"texts": ["a", "b", "c"]}"#)).status == 503)
            let samples = try Self.scrape(client)
            let rejected = "lstm_serve_http_rejected_requests_total"
            for (reason, count) in [
                ("body_too_large", 1.0), ("headers_too_large", 1), ("malformed", 1), ("head_timeout", 1), ("body_timeout", 0),
                ("too_many_connections", 1), ("overloaded", 1), ("queue_timeout", 0),
            ] {
                #expect(samples[rejected, ["reason": reason]] == count, "\(reason)")
            }
            #expect(samples["lstm_serve_http_requests_total", ["route": "/classify", "status": "503"]] == 1)
        }
    }

    /// Over a live server: a body over the limit is refused by the server before the service sees it, and counted.
    @Test func aLiveRefusalIsCountedUnderItsReason() throws {
        var http = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        http.limits.maxBodyBytes = 16
        try Self.service().test(.live, http: http) { client in
            #expect(try client.execute(.classify(#"{"text": "a body well over sixteen bytes"}"#)).status == 413)
            let samples = try Self.scrape(client)
            #expect(samples["lstm_serve_http_rejected_requests_total", ["reason": "body_too_large"]] == 1)
            #expect(samples["lstm_serve_http_requests_total", ["route": "/classify", "status": "413"]] == nil)
        }
    }

    /// `lstm_serve_model_info` names the model in service, and only it, across a reload.
    @Test func modelInfoFollowsAReload() throws {
        let service = Self.service()
        try service.test(.inProcess) { client in
            let before = try Self.scrape(client)
            let sha = StubModel().sha256
            #expect(before["lstm_serve_model_info", ["name": "stub", "sha256": sha, "version": "1"]] == 1)
            #expect((before["lstm_serve_model_loaded_timestamp_seconds", ["model": "stub"]] ?? 0) > 1.7e9)
            service.replaceModel(StubModel(name: "stub", sha256: String(repeating: "cd", count: 32)))
            let after = try Self.scrape(client)
            #expect(after["lstm_serve_model_info", ["name": "stub", "sha256": sha, "version": "1"]] == nil)
            #expect(after["lstm_serve_model_info", ["name": "stub", "sha256": String(repeating: "cd", count: 32), "version": "2"]] == 1)
        }
    }

    /// Without an exposition `/metrics` is no route, and the service records into the no-op factory.
    @Test func withoutAnExpositionMetricsIsNotFound() throws {
        let response = try InferenceService(model: StubModel()).test(.inProcess) { try $0.execute("GET", "/metrics") }
        #expect(response.status == 404)
    }
}
