import TestSupport
import Testing

extension EndToEnd {
    /// Item 4: clients that stall halfway through a request do not hold up anyone else.
    @Suite("Slow clients")
    struct SlowClientTests {
        @Test func halfSentRequestsDoNotDelayOtherClients() throws {
            try LiveServer.run { server in
                let body = #"{"text": "a slow client's review, sent in two halves"}"#
                let head = "POST /classify HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                // One client stalls in the middle of its body, another in the middle of its head.
                let stalledBody = try server.connect()
                try stalledBody.send(head + body.prefix(10))
                let stalledHead = try server.connect()
                try stalledHead.send("GET /healthz HTTP/1.1\r\nHo")

                let started = ContinuousClock.now
                for index in 0..<20 {
                    let text = Fixtures.reviews[index * 3]
                    let response = try server.connect(timeout: .seconds(2)).exchange(HTTPFeatureTests.classifyText(text))
                    #expect(response.status == 200)
                    #expect(response.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(text)).description)
                }
                let elapsed = ContinuousClock.now - started
                #expect(elapsed < .seconds(2), "20 requests took \(elapsed)")

                // The stalled clients are still served once they finish.
                try stalledBody.send(String(body.dropFirst(10)))
                let late = try stalledBody.readResponse()
                #expect(late.status == 200)
                #expect(
                    late.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore("a slow client's review, sent in two halves")).description)
                try stalledHead.send("st: e2e\r\n\r\n")
                #expect(try stalledHead.readResponse().status == 200)
            }
        }
    }
}
