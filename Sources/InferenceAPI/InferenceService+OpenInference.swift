import HTTP1
import SentimentModel

/// The Open Inference Protocol (KServe v2) over REST, with Triton's binary tensor data extension: health, server
/// and model metadata, model readiness, and inference that joins the same per-model batches as `/classify`.
extension InferenceService {
    /// What `GET /v2` reports.
    static let serverName = "lstm-serve"
    static let serverVersion = "1.0.0"

    /// The metadata, health and readiness routes.
    func openInferenceResponse(to request: HTTPRequest, on path: RoutedPath) throws(ServiceError) -> HTTPResponse {
        let readOnly = Self.readOnlyMethods
        switch path.route {
        case .v2Server:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return Self.json { writer in
                writer.field("name", Self.serverName)
                writer.field("version", Self.serverVersion)
                writer.key("extensions")
                writer.array { $0.value("binary_tensor_data") }
            }
        case .v2Live:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return Self.json { $0.field("live", true) }
        case .v2Ready:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            // The protocol: 200 is ready, a 4xx is not.
            guard isReady else { throw .badRequest("the server is draining") }
            return Self.json { $0.field("ready", true) }
        case .v2ModelReady:
            let (slot, _) = try version(named: path)
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return Self.json { writer in
                writer.field("name", slot.name)
                writer.field("ready", true)
            }
        default:
            let (slot, loaded) = try version(named: path)
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return Self.json { Self.writeMetadata(name: slot.name, loaded, to: &$0) }
        }
    }

    /// `$metadata_model_response`: the inputs the model takes (`text` only with a vocabulary) and its outputs.
    private static func writeMetadata(name: String, _ loaded: LoadedModel, to writer: inout JSONWriter) {
        let model = loaded.model
        writer.field("name", name)
        writer.key("versions")
        writer.array { $0.value(String(loaded.version)) }
        writer.field("platform", "lstm-serve_\(model.details.format)")
        func tensor(_ writer: inout JSONWriter, _ name: String, _ datatype: String, _ shape: [Int]) {
            writer.object { writer in
                writer.field("name", name)
                writer.field("datatype", datatype)
                writer.key("shape")
                writer.array { writer in for dimension in shape { writer.value(dimension) } }
            }
        }
        writer.key("inputs")
        writer.array { writer in
            if model.acceptsText { tensor(&writer, "text", "BYTES", [-1]) }
            tensor(&writer, "tokens", "INT64", [-1, -1])
        }
        writer.key("outputs")
        writer.array { writer in
            tensor(&writer, InferRequest.OutputName.score.rawValue, "FP32", [-1, 1])
            tensor(&writer, InferRequest.OutputName.label.rawValue, "BYTES", [-1, 1])
        }
    }

    /// `POST /v2/models/{name}[/versions/{v}]/infer`: answered after the pass, and counted there.
    func infer(
        _ request: HTTPRequest, path: RoutedPath, receivedAt: ContinuousClock.Instant, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) throws(ServiceError) {
        let (slot, loaded) = try version(named: path)
        guard request.method == .POST else { throw ServiceError.methodNotAllowed(request.method, allowed: [.POST]) }
        let body = try InferRequest.parse(request.body, headerLength: request.headers["Inference-Header-Content-Length"])
        let sequences: [TokenSequence]
        do {
            sequences = try self.sequences(for: body.input, model: loaded.model)
        } catch {
            // The protocol answers a request it cannot run with 400, where /classify says 422.
            throw error.status == .unprocessableContent ? .badRequest(error.message) : error
        }
        let outputs = body.outputs ?? [InferRequest.RequestedOutput(name: .score, binaryData: nil)]
        let name = slot.name
        let metrics = self.metrics
        score(sequences, on: slot, version: loaded) { outcome in
            let response: HTTPResponse
            switch outcome {
            case .success(let scored):
                response =
                    InferResponse(
                        modelName: name, version: loaded, id: body.id, outputs: outputs, binaryDataOutput: body.binaryDataOutput, scored: scored
                    ).response
            case .failure(let error):
                response = error.response(for: .v2Infer)
            }
            metrics.requestFinished(.v2Infer, status: response.status, receivedAt: receivedAt)
            respond(response)
        }
    }

    /// The sequences of an infer request's input: texts encoded, token rows stripped of their leading zeros (Keras
    /// `pre` padding; the forward pass pads again, so a padded and an unpadded row score the same) and checked.
    func sequences(for input: InferRequest.Input, model: any ServedModel) throws(ServiceError) -> [TokenSequence] {
        switch input {
        case .texts(let texts):
            return try encode(texts, with: model)
        case .tokenRows(let rows):
            try checkCount(rows.count)
            var checked: [TokenSequence] = []
            checked.reserveCapacity(rows.count)
            for (index, row) in rows.enumerated() {
                let unpadded = Array(row.drop { $0 == 0 })
                checked.append(try checkedIDs(unpadded, index: index, model: model))
            }
            return checked
        }
    }
}
