import InferenceAPI
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// Item 1: the health, readiness and model-description routes, in-process and over a real socket.
    @Suite("Health, readiness and model routes")
    struct InfoRouteTests {
        @Test(arguments: TestTransport.allCases)
        func healthzAnswersOK(_ transport: TestTransport) throws {
            let response = try EndToEnd.service().test(transport) { try $0.execute("GET", "/healthz") }
            #expect(response.status == 200)
            #expect(response.json["status"] as? String == "ok")
        }

        @Test(arguments: TestTransport.allCases)
        func readyzAnswers200UntilDrainingBegins_Then503(_ transport: TestTransport) throws {
            let service = EndToEnd.service()
            try service.test(transport) { client in
                let ready = try client.execute("GET", "/readyz")
                #expect(ready.status == 200)
                #expect(ready.json["status"] as? String == "ready")
                service.beginDraining()
                let draining = try client.execute("GET", "/readyz")
                #expect(draining.status == 503)
                #expect(draining.errorCode == "not_ready")
                // Liveness is unaffected by draining.
                #expect(try client.execute("GET", "/healthz").status == 200)
            }
        }

        @Test(arguments: TestTransport.allCases)
        func modelListDescribesTheBundledModel(_ transport: TestTransport) throws {
            let response = try EndToEnd.service().test(transport) { try $0.execute("GET", "/v1/models") }
            #expect(response.status == 200)
            let models = response.json["models"] as? [[String: Any]]
            #expect(models?.count == 1)
            #expect(models?.first?["name"] as? String == "imdb-lstm")
            #expect(models?.first?["sha256"] as? String == BundledModel.bundle.sha256)
            #expect(models?.first?["accepts_text"] as? Bool == true)
        }

        @Test(arguments: TestTransport.allCases)
        func theModelByNameIsDescribed(_ transport: TestTransport) throws {
            let response = try EndToEnd.service().test(transport) { try $0.execute("GET", "/v1/models/imdb-lstm") }
            #expect(response.status == 200)
            #expect(response.json["name"] as? String == "imdb-lstm")
            #expect(response.json["max_length"] as? Int == BundledModel.bundle.classifier.architecture.maxLength)
            #expect(response.json["vocabulary_size"] as? Int == BundledModel.bundle.classifier.architecture.vocabularySize)
        }

        @Test(arguments: TestTransport.allCases)
        func anUnknownModelIs404(_ transport: TestTransport) throws {
            let response = try EndToEnd.service().test(transport) { try $0.execute("GET", "/v1/models/nope") }
            #expect(response.status == 404)
            #expect(response.errorCode == "not_found")
        }
    }
}
