import HTTP1
import SentimentModel

/// TF Serving's REST predict API, for clients written against a TF Serving container serving the Keras model.
extension InferenceService {
    /// `POST /v1/models/{name}[/versions/{v}]:predict`: answered after the pass, and counted there. Errors take TF
    /// Serving's shape, `{"error": "…"}`.
    func predict(
        _ request: HTTPRequest, path: RoutedPath, receivedAt: ContinuousClock.Instant, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) throws(ServiceError) {
        let (slot, loaded) = try version(named: path)
        guard request.method == .POST else { throw ServiceError.methodNotAllowed(request.method, allowed: [.POST]) }
        let body = try PredictRequest.parse(request.body)
        let sequences: [TokenSequence]
        do {
            try checkCount(body.items.count)
            sequences = try body.items.enumerated().map { index, item throws(ServiceError) in
                switch item {
                case .text(let text): try encode(text, with: loaded.model)
                // Keras pads with leading zeros (`pad_sequences`' default); the forward pass pads again.
                case .ids(let ids): try checkedIDs(Array(ids.drop { $0 == 0 }), index: index, model: loaded.model)
                }
            }
        } catch {
            // TF Serving answers an input it cannot run (INVALID_ARGUMENT) with 400.
            throw error.status == .unprocessableContent ? .badRequest(error.message) : error
        }
        let metrics = self.metrics
        score(sequences, on: slot, version: loaded) { outcome in
            let response: HTTPResponse
            switch outcome {
            case .success(let scored):
                var answer = Self.json { writer in
                    writer.key(body.isColumnar ? "outputs" : "predictions")
                    writer.array { writer in
                        for result in scored.results { writer.array { $0.value(result.score) } }
                    }
                }
                answer.headers.add(name: "X-Batch-Size", value: String(scored.batchSize))
                response = answer
            case .failure(let error):
                response = error.response(for: .tfPredict)
            }
            metrics.requestFinished(.tfPredict, status: response.status, receivedAt: receivedAt)
            respond(response)
        }
    }
}
