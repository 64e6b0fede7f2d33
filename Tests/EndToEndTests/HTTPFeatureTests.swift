import Batching
import InferenceAPI
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// Item 2: HTTP/1.1 connection features against the real service.
    @Suite("HTTP features")
    struct HTTPFeatureTests {
        static let texts = [
            "An absolute delight from the first scene to the last.",
            "Boring, badly acted and far too long.",
            "The plot was thin but the music and the photography were lovely.",
        ]

        static func classifyText(_ text: String, headers: [String] = []) -> String {
            RawHTTPClient.classify(#"{"text": \#(RawHTTPClient.jsonString(text))}"#, headers: headers)
        }

        @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
            try LiveServer.run { server in
                let client = try server.connect()
                let requests = [
                    RawHTTPClient.request("GET", "/healthz"), Self.classifyText(Self.texts[0]), RawHTTPClient.request("GET", "/v1/models"),
                    Self.classifyText(Self.texts[1]), RawHTTPClient.request("GET", "/readyz"),
                ]
                for request in requests {
                    let response = try client.exchange(request)
                    #expect(response.status == 200)
                    #expect(response.header("Connection") == nil)
                }
            }
        }

        @Test func connectionCloseIsHonouredAfterTheResponse() throws {
            try LiveServer.run { server in
                let client = try server.connect()
                let response = try client.exchange(Self.classifyText(Self.texts[0], headers: ["Connection: close"]))
                #expect(response.status == 200)
                #expect(response.header("Connection") == "close")
                #expect(response.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(Self.texts[0])).description)
                #expect(client.isClosedByServer())
            }
        }

        @Test func anHTTP10RequestIsAnsweredAndClosed() throws {
            try LiveServer.run { server in
                let client = try server.connect()
                let body = #"{"text": \#(RawHTTPClient.jsonString(Self.texts[2]))}"#
                let request = "POST /classify HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                let response = try client.exchange(request)
                #expect(response.status == 200)
                #expect(response.header("Connection") == "close")
                #expect(response.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(Self.texts[2])).description)
                #expect(client.isClosedByServer())
            }
        }

        /// More requests than a connection may have waiting (16 by default): the rest are parsed only
        /// as earlier ones are answered, and must not then wait for input that is not coming.
        @Test(arguments: BatchingConfiguration.Scheduling.allCases)
        func pipelinedClassifyRequestsAreAnsweredInOrder(scheduling: BatchingConfiguration.Scheduling) throws {
            let texts = (0..<20).map { Self.texts[$0 % Self.texts.count] }
            let service = ServiceConfiguration(batching: BatchingConfiguration(scheduling: scheduling))
            try LiveServer.run(service: service) { server in
                let client = try server.connect()
                try client.send(texts.map { Self.classifyText($0) }.joined())
                for text in texts {
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    #expect(response.json["tokens"] as? Int == BundledModel.vocabulary.encode(text).count)
                    #expect(response.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(text)).description)
                }
            }
        }

        @Test func aChunkedClassifyBodyIsDechunked() throws {
            let body = #"{"text": \#(RawHTTPClient.jsonString(Self.texts[0]))}"#
            let pieces = [String(body.prefix(7)), String(body.dropFirst(7).prefix(20)), String(body.dropFirst(27))]
            let chunked = pieces.map { String($0.utf8.count, radix: 16) + "\r\n" + $0 + "\r\n" }.joined() + "0\r\n\r\n"
            let request = RawHTTPClient.request(
                "POST", "/classify", headers: ["Content-Type: application/json", "Transfer-Encoding: chunked"], body: chunked)
            let response = try LiveServer.run { try $0.exchange(request) }
            #expect(response.status == 200)
            #expect(response.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(Self.texts[0])).description)
        }

        @Test func expectContinueGets100BeforeTheBodyIsSent() throws {
            let body = #"{"text": \#(RawHTTPClient.jsonString(Self.texts[1]))}"#
            try LiveServer.run { server in
                let client = try server.connect()
                try client.send(
                    "POST /classify HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n")
                let interim = try client.readResponse(skipInterim: false)
                #expect(interim.status == 100)
                #expect(interim.statusLine == "HTTP/1.1 100 Continue")
                try client.send(body)
                let final = try client.readResponse()
                #expect(final.status == 200)
                #expect(final.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(Self.texts[1])).description)
            }
        }

        @Test(arguments: ["/healthz", "/v1/models"])
        func headAnswersWithTheGETContentLengthAndNoBody(_ path: String) throws {
            try LiveServer.run { server in
                let client = try server.connect()
                let get = try client.exchange(RawHTTPClient.request("GET", path))
                let head = try client.exchange(RawHTTPClient.request("HEAD", path), bodyless: true)
                #expect(head.status == 200)
                #expect(head.body.isEmpty)
                #expect(head.header("Content-Length") == String(get.body.count))
                #expect(head.header("Content-Type") == "application/json")
                // A stray body after the HEAD response would be read as the next status line and fail here.
                let after = try client.exchange(RawHTTPClient.request("GET", "/healthz"))
                #expect(after.status == 200 && after.json["status"] as? String == "ok")
            }
        }
    }
}
