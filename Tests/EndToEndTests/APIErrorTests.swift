import Batching
import HTTP1
import HTTPServerCore
import InferenceAPI
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// Item 1: every error status of the API with its JSON error code and headers, in-process and over a real socket.
    @Suite("API error statuses")
    struct APIErrorTests {
        /// One request the service must refuse.
        struct Case: Sendable, CustomTestStringConvertible {
            let name: String
            let request: TestRequest
            let status: Int
            let code: String
            var allow: String?
            /// Words the message must contain: a limit's error names the limit and its value.
            var mentions: [String] = []
            /// The server refuses it before the service sees it (a limit of the server's), so there is nothing to run in-process.
            var liveOnly = false

            var testDescription: String { name }
        }

        /// Body limit of the server the table runs against.
        static let maxBodyBytes = 2_048
        /// Per-request item limit of the service the table runs against.
        static let maxItems = 4

        static let cases: [Case] = [
            Case(name: "unknown path is 404", request: TestRequest("GET", "/nope"), status: 404, code: "not_found"),
            Case(
                name: "GET /classify is 405", request: TestRequest("GET", "/classify"), status: 405, code: "method_not_allowed",
                allow: "POST"),
            Case(
                name: "POST /healthz is 405", request: TestRequest("POST", "/healthz", body: ""), status: 405, code: "method_not_allowed",
                allow: "GET, HEAD"),
            Case(
                name: "DELETE /v1/models is 405", request: TestRequest("DELETE", "/v1/models"), status: 405, code: "method_not_allowed",
                allow: "GET, HEAD"),
            Case(name: "bad JSON is 400", request: TestRequest.classify(#"{"text": "#), status: 400, code: "invalid_request"),
            Case(name: "a body that is not JSON at all is 400", request: TestRequest.classify("not json"), status: 400, code: "invalid_request"),
            Case(name: "an empty object is 400", request: TestRequest.classify("{}"), status: 400, code: "invalid_request"),
            Case(name: "a JSON array body is 400", request: TestRequest.classify("[1, 2]"), status: 400, code: "invalid_request"),
            Case(name: "an empty body is 400", request: TestRequest.classify(""), status: 400, code: "invalid_request"),
            Case(name: "text as a number is 400", request: TestRequest.classify(#"{"text": 5}"#), status: 400, code: "invalid_request"),
            Case(name: "an unknown field is 400", request: TestRequest.classify(#"{"review": "good"}"#), status: 400, code: "invalid_request"),
            Case(
                name: "two shapes at once is 400", request: TestRequest.classify(#"{"text": "a", "tokens": [1]}"#), status: 400,
                code: "invalid_request"),
            Case(
                name: "text and texts at once is 400", request: TestRequest.classify(#"{"text": "a", "texts": ["b"]}"#), status: 400,
                code: "invalid_request"),
            Case(name: "tokens as strings is 400", request: TestRequest.classify(#"{"tokens": ["a"]}"#), status: 400, code: "invalid_request"),
            Case(name: "a fractional token id is 400", request: TestRequest.classify(#"{"tokens": [1.5]}"#), status: 400, code: "invalid_request"),
            Case(name: "texts as one string is 400", request: TestRequest.classify(#"{"texts": "one"}"#), status: 400, code: "invalid_request"),
            Case(
                name: "a body over the limit is 413",
                request: TestRequest.classify(#"{"text": "\#(String(repeating: "long ", count: maxBodyBytes / 4))"}"#), status: 413,
                code: "payload_too_large", liveOnly: true),
            Case(
                name: "text/plain is 415",
                request: TestRequest("POST", "/classify", headers: ["Content-Type: text/plain"], body: #"{"text": "a"}"#),
                status: 415, code: "unsupported_media_type"),
            Case(
                name: "no Content-Type is 415", request: TestRequest("POST", "/classify", body: #"{"text": "a"}"#), status: 415,
                code: "unsupported_media_type"),
            Case(
                name: "a token id past the vocabulary is 422",
                request: TestRequest.classify(#"{"tokens": [1, \#(BundledModel.bundle.classifier.architecture.vocabularySize)]}"#), status: 422,
                code: "token_out_of_range"),
            Case(
                name: "a negative token id is 422", request: TestRequest.classify(#"{"tokens": [[1, 5], [1, -3]]}"#), status: 422,
                code: "token_out_of_range"),
            Case(name: "an empty texts batch is 422", request: TestRequest.classify(#"{"texts": []}"#), status: 422, code: "empty_batch"),
            Case(name: "an empty token sequence is 422", request: TestRequest.classify(#"{"tokens": []}"#), status: 422, code: "empty_sequence"),
            Case(
                name: "an empty sequence in a batch is 422", request: TestRequest.classify(#"{"tokens": [[1, 5], []]}"#), status: 422,
                code: "empty_sequence"),
            Case(
                name: "more texts than the per-request limit is 422",
                request: TestRequest.classify(#"{"texts": [\#(Array(repeating: #""good""#, count: maxItems + 1).joined(separator: ","))]}"#),
                status: 422,
                code: "batch_too_large", mentions: ["--max-items-per-request", "at most \(maxItems)"]),
            Case(
                name: "more token sequences than the per-request limit is 422",
                request: TestRequest.classify(#"{"tokens": [\#(Array(repeating: "[1,2]", count: maxItems + 1).joined(separator: ","))]}"#),
                status: 422,
                code: "batch_too_large", mentions: ["--max-items-per-request", "at most \(maxItems)"]),
        ]

        /// Every case over both transports, but a server refusal live only.
        static let runs: [(Case, TestTransport)] = cases.flatMap { testCase in
            (testCase.liveOnly ? [.live] : TestTransport.allCases).map { (testCase, $0) }
        }

        @Test(arguments: runs)
        func theServiceRefusesTheRequestWithItsStatusAndCode(_ testCase: Case, _ transport: TestTransport) throws {
            var http = HTTPServer.Configuration()
            http.limits.maxBodyBytes = Self.maxBodyBytes
            let service = EndToEnd.service(ServiceConfiguration(maxItemsPerRequest: Self.maxItems))
            let response = try service.test(transport, http: http) { try $0.execute(testCase.request) }
            #expect(response.status == testCase.status)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.errorCode == testCase.code)
            let message = try #require((response.json["error"] as? [String: Any])?["message"] as? String)
            #expect(!message.isEmpty, "no error message")
            for word in testCase.mentions { #expect(message.contains(word), "\(message)") }
            #expect(response.header("Allow") == testCase.allow)
            // Ends its line, so curl's output does not run into the shell prompt.
            #expect(response.body.last == UInt8(ascii: "\n"))
        }

        @Test(arguments: TestTransport.allCases)
        func aTextRequestToAModelWithoutVocabularyIs422_WhileTokensStillWork(_ transport: TestTransport) throws {
            try EndToEnd.service(model: BundledModel.tokenOnlyBundle).test(transport) { client in
                let text = try client.classify(#"{"text": "a great film"}"#)
                #expect(text.status == 422)
                #expect(text.errorCode == "no_vocabulary")
                let texts = try client.classify(#"{"texts": ["a great film"]}"#)
                #expect(texts.status == 422)
                #expect(texts.errorCode == "no_vocabulary")
                let tokens = try client.classify(#"{"tokens": [1, 14, 22]}"#)
                #expect(tokens.status == 200)
                #expect(tokens.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(ids: [1, 14, 22])).description)
            }
        }

        @Test(arguments: TestTransport.allCases)
        func aRequestLargerThanTheWholeQueueIs503WithRetryAfter(_ transport: TestTransport) throws {
            let service = EndToEnd.service(ServiceConfiguration(batching: .init(maxQueueSize: 2), retryAfterSeconds: 7))
            try service.test(transport) { client in
                let refused = try client.classify(#"{"texts": ["good", "bad", "fine"]}"#)
                #expect(refused.status == 503)
                #expect(refused.errorCode == "overloaded")
                #expect(refused.header("Retry-After") == "7")
                #expect(refused.errorMessage?.contains("--max-queue is 2 sequences") == true, "\(refused.text)")
                #expect(try client.classify(#"{"texts": ["good", "bad"]}"#).status == 200)
            }
        }

        /// Live only: the first two requests must stay unanswered while the third is sent.
        @Test func aRequestArrivingWhileTheQueueIsFullOfOthersWorkIs503WithRetryAfter() throws {
            // One sequence a pass and one queue slot: the first request's pass is held running and the second
            // waits in the only slot, for as long as the test needs, so the third finds the queue full.
            let model = HeldModel()
            defer { model.release() }
            let batching = BatchingConfiguration(scheduling: .batch, maxBatchSize: 1, maxQueueSize: 1)
            let service = EndToEnd.service(ServiceConfiguration(batching: batching, retryAfterSeconds: 3), model: model)
            // Signals once the service has taken a request: `handle` submits to the batcher before it returns.
            let handler = GatedHandler(service)
            try withLiveServer(handler: handler) { server in
                let running = try RawHTTPClient(port: server.localPort)
                try running.send(RawHTTPClient.classify(#"{"text": "good"}"#))
                try #require(model.waitUntilPassStarted(), "the first request's pass never started")
                let queued = try RawHTTPClient(port: server.localPort)
                try queued.send(RawHTTPClient.classify(#"{"text": "fine"}"#))
                try #require(handler.waitUntilReceived() && handler.waitUntilReceived(), "the service never took the second request")
                let refused = try RawHTTPClient(port: server.localPort).exchange(RawHTTPClient.classify(#"{"text": "bad"}"#))
                #expect(refused.status == 503)
                #expect(refused.errorCode == "overloaded")
                #expect(refused.header("Retry-After") == "3")
                model.release()
                for (client, text) in [(running, "good"), (queued, "fine")] {
                    let response = try client.readResponse()
                    #expect(response.status == 200, "\(text)")
                    #expect(response.header("X-Batch-Size") == "1", "\(text)")
                    #expect(response.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(text)).description, "\(text)")
                }
            }
        }

        /// Explanations run after their pass, outside the queue limit; their own limit holds across requests.
        @Test func explainRequestsBeyondTheTextsBeingExplainedAre503() throws {
            let model = HeldModel()
            defer { model.release() }
            let batching = BatchingConfiguration(scheduling: .batch, maxBatchSize: 64, maxQueueSize: 1024)
            let service = EndToEnd.service(ServiceConfiguration(batching: batching, retryAfterSeconds: 2), model: model)
            let handler = GatedHandler(service)
            let full = InferenceService.maxExplainingTexts / InferenceService.maxExplainedTexts
            let texts = Array(repeating: "\"a fine film\"", count: InferenceService.maxExplainedTexts).joined(separator: ", ")
            let body = #"{"explain": true, "texts": [\#(texts)]}"#
            try withLiveServer(handler: handler) { server in
                var held: [RawHTTPClient] = []
                for _ in 0..<full {
                    let client = try RawHTTPClient(port: server.localPort)
                    try client.send(RawHTTPClient.classify(body))
                    try #require(handler.waitUntilReceived(), "the service never took an explain request")
                    held.append(client)
                }
                let refused = try RawHTTPClient(port: server.localPort).exchange(RawHTTPClient.classify(body))
                #expect(refused.status == 503)
                #expect(refused.errorCode == "overloaded")
                #expect(refused.header("Retry-After") == "2")
                let plain = try RawHTTPClient(port: server.localPort)
                try plain.send(RawHTTPClient.classify(#"{"text": "a fine film"}"#))
                model.release()
                #expect(try plain.readResponse().status == 200, "a request without explain is not limited by explanations")
                for client in held { #expect(try client.readResponse().status == 200) }
                let again = try RawHTTPClient(port: server.localPort).exchange(RawHTTPClient.classify(body))
                #expect(again.status == 200, "the explanations' budget is given back once they are written: \(again.text)")
            }
        }

        @Test(arguments: TestTransport.allCases)
        func aRequestNoPassTakesBeforeItsTimeoutIs504(_ transport: TestTransport) throws {
            // A whole batch waits 200 ms to fill, far beyond the 1 ms request timeout, so the item expires first.
            let batching = BatchingConfiguration(scheduling: .batch, maxBatchSize: 64, maxBatchDelayMicroseconds: 200_000, maxQueueSize: 16)
            let service = EndToEnd.service(ServiceConfiguration(batching: batching, requestTimeoutMilliseconds: 1))
            let response = try service.test(transport) { try $0.classify(#"{"text": "a great film"}"#) }
            #expect(response.status == 504)
            #expect(response.errorCode == "timeout")
            #expect(response.errorMessage?.contains("--request-timeout-ms of 1 ms") == true, "\(response.text)")
        }
    }
}
