import TestSupport
import Testing

extension EndToEnd {
    /// Every JSON body ends with a newline, so that `curl`'s output ends its line instead of running into the prompt.
    @Suite("JSON bodies")
    struct JSONBodyTests {
        @Test(arguments: TestTransport.allCases)
        func everyJSONBodyEndsWithOneNewline(_ transport: TestTransport) throws {
            let requests = [
                TestRequest("GET", "/healthz"), TestRequest("GET", "/readyz"), TestRequest("GET", "/v1/models"),
                TestRequest("GET", "/v1/models/imdb-lstm"), TestRequest.classify(#"{"text": "a fine film"}"#),
                TestRequest.classify(#"{"texts": ["a fine film", "awful"]}"#), TestRequest.classify(#"{"tokens": [1, 14]}"#),
                TestRequest.classify(#"{"tokens": [1, 99999]}"#), TestRequest("GET", "/nope"),
            ]
            try EndToEnd.service().test(transport) { client in
                for request in requests {
                    let response = try client.execute(request)
                    #expect(response.header("Content-Type") == "application/json", "\(request)")
                    #expect(response.text.hasSuffix("}\n"), "\(request): \(response.text.suffix(20).debugDescription)")
                    #expect(!response.json.isEmpty, "\(request): not a JSON object")
                }
            }
        }
    }
}
