import InferenceAPI
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// Item 1: the health, readiness and model-description routes.
    @Suite("Health, readiness and model routes")
    struct InfoRouteTests {
        @Test func healthzAnswersOK() throws {
            let response = try LiveServer.run { try $0.exchange(RawHTTPClient.request("GET", "/healthz")) }
            #expect(response.status == 200)
            #expect(response.json["status"] as? String == "ok")
        }

        @Test func readyzAnswers200UntilDrainingBegins_Then503() throws {
            try LiveServer.run { server in
                let client = try server.connect()
                let ready = try client.exchange(RawHTTPClient.request("GET", "/readyz"))
                #expect(ready.status == 200)
                #expect(ready.json["status"] as? String == "ready")
                server.service.beginDraining()
                let draining = try client.exchange(RawHTTPClient.request("GET", "/readyz"))
                #expect(draining.status == 503)
                #expect(draining.errorCode == "not_ready")
                // Liveness is unaffected by draining.
                #expect(try client.exchange(RawHTTPClient.request("GET", "/healthz")).status == 200)
            }
        }

        @Test func modelListDescribesTheBundledModel() throws {
            let response = try LiveServer.run { try $0.exchange(RawHTTPClient.request("GET", "/v1/models")) }
            #expect(response.status == 200)
            let models = response.json["models"] as? [[String: Any]]
            #expect(models?.count == 1)
            #expect(models?.first?["name"] as? String == "imdb-lstm")
            #expect(models?.first?["sha256"] as? String == BundledModel.bundle.sha256)
            #expect(models?.first?["accepts_text"] as? Bool == true)
        }

        @Test func theModelByNameIsDescribed() throws {
            let response = try LiveServer.run { try $0.exchange(RawHTTPClient.request("GET", "/v1/models/imdb-lstm")) }
            #expect(response.status == 200)
            #expect(response.json["name"] as? String == "imdb-lstm")
            #expect(response.json["max_length"] as? Int == BundledModel.bundle.classifier.architecture.maxLength)
            #expect(response.json["vocabulary_size"] as? Int == BundledModel.bundle.classifier.architecture.vocabularySize)
        }

        @Test func anUnknownModelIs404() throws {
            let response = try LiveServer.run { try $0.exchange(RawHTTPClient.request("GET", "/v1/models/nope")) }
            #expect(response.status == 404)
            #expect(response.errorCode == "not_found")
        }
    }
}
