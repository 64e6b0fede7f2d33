import Batching
import Foundation
import HTTP1
import Locking
import SentimentModel
import Testing

@testable import InferenceAPI

/// The Open Inference Protocol (KServe v2) routes in-process on ``StubModel``: metadata, health, readiness, and
/// inference with JSON and binary tensors in both directions, and the 400s that explain a wrong request.
struct OpenInferenceTests {
    let stub = StubModel()
    var service: InferenceService { InferenceService(model: stub) }

    @Test func serverMetadataLivenessAndReadiness() throws {
        let service = self.service
        let metadata = try exchange(service, .GET, "/v2")
        #expect(metadata.status == .ok)
        #expect(metadata.object["name"] as? String == "lstm-serve")
        #expect(metadata.object["extensions"] as? [String] == ["binary_tensor_data"])
        let live = try exchange(service, .GET, "/v2/health/live")
        #expect(live.status == .ok && live.object["live"] as? Bool == true)
        #expect(try exchange(service, .GET, "/v2/health/ready").object["ready"] as? Bool == true)
        service.beginDraining()
        let draining = try exchange(service, .GET, "/v2/health/ready")
        #expect(draining.status == .badRequest, "the protocol: 4xx is not ready")
        #expect(draining.plainError == "the server is draining")
        #expect(try exchange(service, .GET, "/v2/health/live").status == .ok)
        #expect(try exchange(service, .POST, "/v2/health/live").status == .methodNotAllowed)
    }

    @Test func modelMetadataListsTheInputsTheModelTakes() throws {
        for (model, inputs) in [(StubModel(), ["text", "tokens"]), (StubModel(acceptsText: false), ["tokens"])] {
            let service = InferenceService(model: model)
            for path in ["/v2/models/stub", "/v2/models/stub/versions/1"] {
                let response = try exchange(service, .GET, path)
                #expect(response.status == .ok)
                #expect(response.object["name"] as? String == "stub" && response.object["versions"] as? [String] == ["1"])
                let tensors = try #require(response.object["inputs"] as? [[String: Any]])
                #expect(tensors.map { $0["name"] as? String } == inputs)
                let outputs = try #require(response.object["outputs"] as? [[String: Any]])
                #expect(outputs.map { $0["name"] as? String } == ["score", "label"])
                #expect(outputs.map { $0["datatype"] as? String } == ["FP32", "BYTES"])
                #expect(outputs.map { $0["shape"] as? [Int] } == [[-1, 1], [-1, 1]])
            }
            let ready = try exchange(service, .GET, "/v2/models/stub/versions/1/ready")
            #expect(ready.status == .ok && ready.object["ready"] as? Bool == true && ready.object["name"] as? String == "stub")
        }
    }

    @Test func unknownModelsAndVersionsAre404InTheProtocolsShape() throws {
        let service = self.service
        for path in ["/v2/models/nope", "/v2/models/stub/versions/2", "/v2/models/nope/ready", "/v2/models//ready", "/v2/models/stub/x/y"] {
            let response = try exchange(service, .GET, path)
            #expect(response.status == .notFound, "\(path)")
            #expect(response.plainError != nil, "\(path): \(String(decoding: response.body, as: UTF8.self))")
        }
        let infer = try exchange(service, .POST, "/v2/models/nope/infer", json: #"{"inputs": []}"#)
        #expect(infer.status == .notFound && infer.plainError == "no model named 'nope' is served")
        let method = try exchange(service, .GET, "/v2/models/stub/infer")
        #expect(method.status == .methodNotAllowed && method.headers["Allow"] == "POST" && method.plainError != nil)
    }

    /// BYTES texts `[N]` and `[N, 1]`: the scores, labels, id and version, from the model behind the seam.
    @Test func textsInferAsClassifyDoes() throws {
        let service = self.service
        let json = #"""
            {"id": "42", "parameters": {"priority": 1}, "inputs": [{"name": "text", "shape": [2, 1], "datatype": "BYTES",
             "data": [["great film"], ["awful"]]}], "outputs": [{"name": "label"}, {"name": "score"}]}
            """#
        let response = try exchange(service, .POST, "/v2/models/stub/versions/1/infer", json: json)
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "application/json" && response.headers["X-Batch-Size"] == "2")
        #expect(response.object["id"] as? String == "42")
        #expect(response.object["model_name"] as? String == "stub" && response.object["model_version"] as? String == "1")
        let outputs = try #require(response.object["outputs"] as? [[String: Any]])
        let expected = [[Int32(1), 5, 4], [1, 5]].map(StubModel.score(of:))
        #expect(outputs.map { $0["name"] as? String } == ["label", "score"])
        #expect(outputs[0]["data"] as? [String] == expected.map { $0 >= 0.5 ? "positive" : "negative" })
        #expect((outputs[1]["data"] as? [Double])?.map(Float.init) == expected)
        #expect(outputs[1]["shape"] as? [Int] == [2, 1] && outputs[1]["datatype"] as? String == "FP32")
        let flat = try exchange(
            service, .POST, "/v2/models/stub/infer",
            json: #"{"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["great film", "awful"]}]}"#)
        let defaultOutputs = try #require(flat.object["outputs"] as? [[String: Any]])
        #expect(defaultOutputs.map { $0["name"] as? String } == ["score"], "the default output is the score alone")
        #expect((defaultOutputs[0]["data"] as? [Double])?.map(Float.init) == expected)
        #expect(flat.object["id"] == nil)
    }

    /// INT64 or INT32 rows pre-padded with 0s score as the same rows unpadded, in one pass with them.
    @Test func tokenRowsScoreTheSamePaddedOrNot() throws {
        let service = self.service
        let padded = #"{"inputs": [{"name": "tokens", "shape": [2, 6], "datatype": "INT64", "data": [0, 0, 0, 1, 14, 22, 0, 0, 1, 7, 7, 7]}]}"#
        let plain = #"{"inputs": [{"name": "tokens", "shape": [1, 3], "datatype": "INT32", "data": [[1, 14, 22]]}]}"#
        let first = try exchange(service, .POST, "/v2/models/stub/infer", json: padded)
        let second = try exchange(service, .POST, "/v2/models/stub/infer", json: plain)
        let scores = [first, second].map { (($0.object["outputs"] as? [[String: Any]])?.first?["data"] as? [Double])?.map(Float.init) }
        #expect(scores == [[StubModel.score(of: [1, 14, 22]), StubModel.score(of: [1, 7, 7, 7])], [StubModel.score(of: [1, 14, 22])]])
        #expect(stub.recordedPasses.map { $0.map(\.ids) } == [[[1, 14, 22], [1, 7, 7, 7]], [[1, 14, 22]]], "the padding reached the model")
    }

    /// Binary in both directions: BYTES and INT64/INT32 inputs after the JSON, outputs after the JSON with their sizes.
    @Test func binaryTensorsInAndOut() throws {
        let service = self.service
        let texts = BinaryTensor.bytes(["great film", "awful"])
        let (headers, body) = BinaryTensor.request(
            #"""
            {"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": \#(texts.count)}}],
             "parameters": {"binary_data_output": true}, "outputs": [{"name": "score"}, {"name": "label", "parameters": {"binary_data": false}}]}
            """#, texts)
        let response = try exchange(service, .POST, "/v2/models/stub/infer", headers: headers, body: body)
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "application/octet-stream")
        let jsonLength = try #require(response.headers["Inference-Header-Content-Length"].flatMap(Int.init))
        let outputs = try #require(response.object["outputs"] as? [[String: Any]])
        #expect((outputs[0]["parameters"] as? [String: Any])?["binary_data_size"] as? Int == 8 && outputs[0]["data"] == nil)
        #expect(outputs[1]["data"] as? [String] != nil, "binary_data false on an output overrides binary_data_output")
        #expect(response.body.count == jsonLength + 8)
        let expected = [[Int32(1), 5, 4], [1, 5]].map(StubModel.score(of:))
        #expect(BinaryTensor.floats(response.body[jsonLength...]) == expected, "bit for bit")

        for (datatype, data) in [("INT64", BinaryTensor.int64([0, 1, 14, 22])), ("INT32", BinaryTensor.int32([0, 1, 14, 22]))] {
            let (headers, body) = BinaryTensor.request(
                #"""
                {"inputs": [{"name": "tokens", "shape": [1, 4], "datatype": "\#(datatype)", "parameters": {"binary_data_size": \#(data.count)}}],
                 "outputs": [{"name": "label", "parameters": {"binary_data": true}}]}
                """#, data)
            let response = try exchange(service, .POST, "/v2/models/stub/infer", headers: headers, body: body)
            #expect(response.status == .ok, "\(String(decoding: response.body, as: UTF8.self))")
            let length = try #require(response.headers["Inference-Header-Content-Length"].flatMap(Int.init))
            let label = StubModel.score(of: [1, 14, 22]) >= 0.5 ? "positive" : "negative"
            #expect(Array(response.body[length...]) == BinaryTensor.bytes([label]))
        }
    }

    @Test(
        arguments: [
            // (JSON header, binary part, header length override, words of the message)
            (
                #"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 99}}]}"#, [0, 0, 0, 0], nil,
                "only 4 bytes"
            ),
            (
                #"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 4}}]}"#, [0, 0, 0, 0, 9], nil,
                "1 bytes"
            ),
            (
                #"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 4}}]}"#, [5, 0, 0, 0], nil,
                "element of 5"
            ),
            (
                #"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 3}}]}"#, [1, 0, 0], nil,
                "4-byte length"
            ),
            (
                #"{"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": 5}}]}"#, [1, 0, 0, 0, 97], nil,
                "shape [2]"
            ),
            (
                #"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 5}}]}"#, [1, 0, 0, 0, 0xFF], nil,
                "UTF-8"
            ),
            (
                #"{"inputs": [{"name": "tokens", "shape": [1, 2], "datatype": "INT64", "parameters": {"binary_data_size": 12}}]}"#,
                Array(repeating: 1, count: 12),
                nil, "another size"
            ),
            (
                #"{"inputs": [{"name": "tokens", "shape": [1, 1], "datatype": "INT64", "parameters": {"binary_data_size": 8}}]}"#,
                [1, 0, 0, 0, 0, 0, 0, 0],
                "9999", "Inference-Header-Content-Length"
            ),
            (
                #"{"inputs": [{"name": "tokens", "shape": [1, 1], "datatype": "INT64", "data": [1], "parameters": {"binary_data_size": 8}}]}"#,
                [1, 0, 0, 0, 0, 0, 0, 0], nil, "both data and binary_data_size"
            ),
        ] as [(String, [UInt8], String?, String)])
    func wrongBinarySizesAre400(json: String, binary: [UInt8], headerLength: String?, message: String) throws {
        var (headers, body) = BinaryTensor.request(json, binary)
        if let headerLength {
            headers = ["Inference-Header-Content-Length": headerLength]
            body = Array(json.utf8) + binary
        }
        let response = try exchange(service, .POST, "/v2/models/stub/infer", headers: headers, body: body)
        #expect(response.status == .badRequest)
        let error = try #require(response.plainError)
        #expect(error.contains(message), "\(error)")
        #expect(stub.recordedPasses.isEmpty)
    }

    @Test(arguments: [
        ("", "empty"),
        ("[]", "JSON object"),
        (#"{"inputs": []}"#, "exactly one input"),
        (#"{"id": 5, "inputs": []}"#, "field id has the wrong type"),
        (#"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 4}}]}"#, "no Inference-Header"),
        (#"{"inputs": [{"name": "pixels", "shape": [1], "datatype": "FP32", "data": [1.5]}]}"#, "strings or integers"),
        (#"{"inputs": [{"name": "pixels", "shape": [1], "datatype": "BYTES", "data": ["a"]}]}"#, "no input 'pixels'"),
        (#"{"inputs": [{"name": "text", "shape": [1], "datatype": "INT64", "data": [1]}]}"#, "must be BYTES"),
        (#"{"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["a"]}]}"#, "shape [2]"),
        (#"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES"}]}"#, "no data"),
        (#"{"inputs": [{"name": "tokens", "shape": [2], "datatype": "INT64", "data": [1, 2]}]}"#, "[N, L]"),
        (#"{"inputs": [{"name": "tokens", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]}]}"#, "INT32 or INT64"),
        (#"{"inputs": [{"name": "tokens", "shape": [1000000000000000000, 0], "datatype": "INT64", "data": []}]}"#, "L > 0"),
        (#"{"inputs": [{"name": "tokens", "shape": [1, 3], "datatype": "INT64", "data": [1, 2]}]}"#, "another size"),
        (#"{"inputs": [{"name": "tokens", "shape": [1, 2], "datatype": "INT64", "data": [1, 100]}]}"#, "outside the model's ids"),
        (#"{"inputs": [{"name": "tokens", "shape": [1, 2], "datatype": "INT64", "data": [0, 0]}]}"#, "empty"),
        (#"{"inputs": [{"name": "tokens", "shape": [1, -2], "datatype": "INT64", "data": []}]}"#, "negative dimension"),
        (#"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a"]}], "outputs": [{"name": "logits"}]}"#, "score, label"),
        (
            #"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a"]}], "outputs": [{"name": "label"}, {"name": "label"}]}"#,
            "again"
        ),
        (#"{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a"]}], "parameters": {"binary_data_output": 1}}"#, "a boolean"),
    ])
    func wrongRequestsAre400(json: String, message: String) throws {
        let response = try exchange(service, .POST, "/v2/models/stub/infer", json: json)
        #expect(response.status == .badRequest)
        let error = try #require(response.plainError, "\(String(decoding: response.body, as: UTF8.self))")
        #expect(error.contains(message), "\(error)")
    }

    /// Infer requests and `/classify` requests handled in one round share one pass.
    @Test func inferJoinsTheClassifyBatches() throws {
        let stub = StubModel()
        let service = InferenceService(model: stub)
        let answers = Lock<[HTTPResponse]>([])
        let context = RequestContext(remoteAddress: "test", connectionID: 1, receivedAt: .now)
        let infer = HTTPRequest(
            method: .POST, target: "/v2/models/stub/infer",
            body: Array(#"{"inputs": [{"name": "tokens", "shape": [1, 2], "datatype": "INT64", "data": [1, 3]}]}"#.utf8))
        let classify = HTTPRequest(
            method: .POST, target: "/classify", headers: ["Content-Type": "application/json"], body: Array(#"{"tokens": [1, 4]}"#.utf8))
        for request in [infer, classify] { service.handle(request, context: context) { response in answers.withLock { $0.append(response) } } }
        service.roundEnded()
        let responses = answers.withLock { $0 }
        #expect(responses.count == 2 && responses.allSatisfy { $0.status == .ok && $0.headers["X-Batch-Size"] == "2" })
        #expect(stub.recordedPasses.map { $0.map(\.ids) } == [[[1, 3], [1, 4]]])
    }
}
