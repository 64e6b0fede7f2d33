import Foundation
import Glibc
import InferenceAPI
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// The Open Inference Protocol and TF Serving routes on the bundled model, in-process and over a socket: the same
    /// scores as `/classify`, printed the same, for texts and for ids padded to 500 as Keras pads them.
    @Suite("KServe v2 and TF Serving on the bundled model")
    struct ProtocolRouteTests {
        static let reviews = Array(Fixtures.reviews.prefix(4))

        /// `text` as a JSON string literal.
        static func jsonString(_ text: String) throws -> String {
            String(String(decoding: try JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast())
        }

        /// Ids of each review pre-padded with zeros to 500, as `pad_sequences(maxlen=500)` gives them.
        static var paddedRows: [[Int32]] {
            reviews.map { review in
                let ids = BundledModel.vocabulary.encode(review)
                return Array(repeating: 0, count: 500 - ids.count) + ids
            }
        }

        @Test(arguments: TestTransport.allCases)
        func inferAndPredictScoreAsClassifyDoes(_ transport: TestTransport) throws {
            try EndToEnd.service().test(transport) { client in
                let texts = try Self.reviews.map(Self.jsonString).joined(separator: ", ")
                let classified = try client.execute(.classify(#"{"texts": [\#(texts)]}"#))
                #expect(classified.status == 200)
                let expected = classified.rawNumbers(for: "score")
                #expect(expected == (try Self.reviews.map { try Fixtures.unbatchedScore($0).description }))

                let inferText = #"{"inputs": [{"name": "text", "shape": [\#(Self.reviews.count)], "datatype": "BYTES", "data": [\#(texts)]}]}"#
                let inferred = try client.execute("POST", "/v2/models/imdb-lstm/infer", headers: ["Content-Type: application/json"], body: inferText)
                #expect(inferred.status == 200)
                #expect(Self.dataNumbers(inferred) == expected, "\(inferred.text)")

                let rows = Self.paddedRows.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",")
                let inferIDs = #"{"inputs": [{"name": "tokens", "shape": [\#(Self.reviews.count), 500], "datatype": "INT64", "data": [\#(rows)]}]}"#
                let byIDs = try client.execute("POST", "/v2/models/imdb-lstm/infer", headers: ["Content-Type: application/json"], body: inferIDs)
                #expect(Self.dataNumbers(byIDs) == expected, "\(byIDs.text)")

                for (body, key) in [(#"{"instances": [\#(rows)]}"#, "predictions"), (#"{"inputs": [\#(rows)]}"#, "outputs")] {
                    let predicted = try client.execute(
                        "POST", "/v1/models/imdb-lstm:predict", headers: ["Content-Type: application/json"], body: body)
                    #expect(predicted.status == 200)
                    let scores = (predicted.json[key] as? [[Double]])?.map { $0.map { Float($0).description } }
                    #expect(scores == expected.map { [$0] }, "\(predicted.text)")
                }
            }
        }

        /// The numbers of the first output's `data` array, as printed.
        static func dataNumbers(_ response: RawResponse) -> [String] {
            guard let range = response.text.range(of: "\"data\":[") else { return [] }
            return response.text[range.upperBound...].prefix { $0 != "]" }.split(separator: ",").map(String.init)
        }
    }

    /// Two models side by side in the real executable: `--model NAME=PATH` twice, each route answering with the model
    /// it names, and a SIGHUP reloading each.
    @Suite("Several models in the lstm-serve executable", .enabled(if: ServerProcess.executableURL != nil, "lstm-serve is not built"))
    struct MultiModelExecutableTests {
        @Test func twoNamedModelsAnswerByName_AndReloadOnSIGHUP() throws {
            let (process, port) = try ServerProcess.serving([
                "--model", "imdb=\(BundledModel.checkpointURL.path)", "--model", "small=\(Fixtures.alternativeCheckpointURL.path)",
            ])
            let client = try RawHTTPClient(port: port)
            let list = try client.exchange(RawHTTPClient.request("GET", "/v1/models"))
            let models = try #require(list.json["models"] as? [[String: Any]])
            #expect(models.map { $0["name"] as? String } == ["imdb", "small"])
            #expect(models.map { $0["source"] as? String } == ["imdb-lstm.keras", "alt-5000x16x48.keras"], "file names, not server paths")
            #expect(models.first?["vocabulary"] as? String == "imdb-lstm-vocab.txt")

            let small = try client.exchange(
                RawHTTPClient.request(
                    "POST", "/classify", headers: ["Content-Type: application/json"], body: #"{"tokens": [1, 14], "model": "small"}"#))
            #expect((small.json["model"] as? [String: Any])?["name"] as? String == "small")
            let metadata = try client.exchange(RawHTTPClient.request("GET", "/v2/models/small"))
            #expect((metadata.json["inputs"] as? [[String: Any]])?.map { $0["name"] as? String } == ["tokens"], "no vocabulary beside it")
            let text = try client.exchange(
                RawHTTPClient.request("POST", "/classify", headers: ["Content-Type: application/json"], body: #"{"text": "fine", "model": "small"}"#))
            #expect(text.status == 422 && text.errorCode == "no_vocabulary")

            process.send(signal: SIGHUP)
            let reloads = try process.waitForLines(containing: "reloaded the model", count: 2, timeout: .seconds(30))
            #expect(reloads.contains { $0.contains("model=imdb ") } && reloads.contains { $0.contains("model=small ") }, "\(reloads)")
            process.send(signal: SIGTERM)
            try process.waitForExit(timeout: .seconds(10))
            #expect(process.exitStatus == 0, "output: \(process.output)")
        }

        @Test(arguments: [
            (["--model", "a=/x.keras", "--model", "a=/y.keras"], "two models are named 'a'"),
            (["--model", "a=/x.keras", "--model", "b=/y.keras", "--vocab", "/v.txt"], "--vocab applies to one model"),
            (["--model", "a b=/x.keras"], "NAME=PATH needs a name"),
        ])
        func badModelListsExitNonZeroBeforeLoading(arguments: [String], message: String) throws {
            let executable = try #require(ServerProcess.executableURL)
            let process = try ServerProcess(executable: executable, arguments: ["--host", "127.0.0.1", "--port", "0"] + arguments)
            try process.waitForExit(timeout: .seconds(15))
            #expect(process.exitedNormally && process.exitStatus != 0)
            #expect(process.output.contains(message), "output: \(process.output)")
        }
    }
}
