import Batching
import Foundation
import HTTP1
import SentimentModel

extension InferenceService {
    /// `POST /classify`: validate, tokenize, submit to the named model's batcher, answer when the pass is done (counted
    /// in the metrics there; a validation error is thrown to the caller, which counts it).
    func classify(
        _ request: HTTPRequest, receivedAt: ContinuousClock.Instant, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) throws(ServiceError) {
        try Self.requireJSON(request.headers["Content-Type"])
        let (body, modelName) = try ClassifyRequest.parseNamingModel(request.body)
        let slot: ModelSlot
        if let modelName {
            guard let named = self.slot(named: modelName) else { throw .modelNotFound(modelName) }
            slot = named
        } else {
            slot = slots[0]
        }
        let loaded = slot.loaded
        let sequences = try sequences(for: body, model: loaded.model)
        let name = slot.name
        let sha256 = loaded.model.sha256
        let metrics = self.metrics
        score(sequences, on: slot, version: loaded) { outcome in
            let response: HTTPResponse
            switch outcome {
            case .success(let scored):
                var answer = Self.json { writer in
                    if body.isBatch {
                        writer.key("results")
                        writer.array { writer in for item in scored.results { writer.object { item.write(to: &$0) } } }
                    } else if let item = scored.results.first {
                        item.write(to: &writer)
                    }
                    writer.key("model")
                    writer.object { writer in
                        writer.field("name", name)
                        writer.field("sha256", sha256)
                    }
                }
                answer.headers.add(name: "X-Batch-Size", value: String(scored.batchSize))
                response = answer
            case .failure(let error):
                response = error.response
            }
            metrics.requestFinished(.classify, status: response.status, receivedAt: receivedAt)
            respond(response)
        }
    }

    /// Submits `sequences`, checked for `version` of `slot`'s model, to that slot's batcher; `completion` gets one
    /// result per sequence, in order, or the error to answer with (queue full, or no pass in time). Every protocol's
    /// route scores through here, so they share the batches and their results are the same per item.
    func score(
        _ sequences: [TokenSequence], on slot: ModelSlot, version: LoadedModel,
        completion: @escaping @Sendable (Result<ScoredBatch, ServiceError>) -> Void
    ) {
        let model = version.model
        let maxLength = model.maxLength
        let retryAfter = configuration.retryAfterSeconds
        let lengths = sequences.map { $0.count }  // a closure: this key path was not optimized away
        let metrics = self.metrics
        let submittedAt = ContinuousClock.now
        let inputs = sequences.map { Scoring(model: version, sequence: $0, submittedAt: submittedAt) }
        slot.batcher.submit(inputs, timeout: requestTimeoutNanoseconds) { outcome in
            switch outcome {
            case .success(let result):
                let results = zip(result.outputs, lengths).map { score, length in
                    ClassifyResult(label: model.label(for: score), score: score, tokens: length, truncated: length > maxLength)
                }
                completion(.success(ScoredBatch(results: results, batchSize: result.batchSizes.max() ?? 0)))
            case .failure(.queueFull):
                metrics.rejected(.overloaded)
                completion(.failure(.overloaded("the inference queue is full; retry later", retryAfterSeconds: retryAfter)))
            case .failure(.timedOut):
                metrics.rejected(.queueTimeout)
                completion(.failure(ServiceError(status: .gatewayTimeout, code: "timeout", message: "no forward pass took the request in time")))
            }
        }
    }

    /// 415 unless the body is declared `application/json` (parameters such as `charset` allowed).
    static func requireJSON(_ contentType: String?) throws(ServiceError) {
        guard let contentType, isJSONMediaType(contentType) else {
            throw ServiceError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the body as Content-Type: application/json (got \(contentType ?? "none"))")
        }
    }

    /// Whether the media type before any `;` is `application/json`, ignoring case and spaces or
    /// tabs around it. Byte by byte: Foundation's trimming bridges to NSString, a visible share of
    /// the server's CPU under load.
    static func isJSONMediaType(_ contentType: String) -> Bool {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        while let first = mediaType.first, isSpace(first) { mediaType = mediaType.dropFirst() }
        while let last = mediaType.last, isSpace(last) { mediaType = mediaType.dropLast() }
        let expected = "application/json".utf8  // no upper-case letters
        return mediaType.count == expected.count
            && zip(mediaType, expected).allSatisfy { byte, wanted in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 == wanted : byte == wanted
            }
    }

    /// The id sequences of a request, checked against `model` and the per-request limit.
    func sequences(for request: ClassifyRequest, model: any ServedModel) throws(ServiceError) -> [TokenSequence] {
        switch request {
        case .text(let text):
            return [try encode(text, with: model)]
        case .texts(let texts):
            try checkCount(texts.count)
            var encoded: [TokenSequence] = []
            encoded.reserveCapacity(texts.count)
            for text in texts { encoded.append(try encode(text, with: model)) }
            return encoded
        case .tokens(let ids):
            return [try checkedIDs(ids, index: nil, model: model)]
        case .tokenBatch(let batch):
            try checkCount(batch.count)
            var checked: [TokenSequence] = []
            checked.reserveCapacity(batch.count)
            for (index, ids) in batch.enumerated() { checked.append(try checkedIDs(ids, index: index, model: model)) }
            return checked
        }
    }

    func encode(_ text: String, with model: any ServedModel) throws(ServiceError) -> TokenSequence {
        guard let sequence = model.encode(text) else {
            throw .unprocessable("no_vocabulary", "this model is served without a vocabulary; send token ids ({\"tokens\": [...]})")
        }
        return sequence
    }

    func checkCount(_ count: Int) throws(ServiceError) {
        guard count > 0 else { throw .unprocessable("empty_batch", "the batch is empty") }
        guard count <= configuration.maxItemsPerRequest else {
            throw .unprocessable(
                "batch_too_large", "the batch has \(count) items; at most \(configuration.maxItemsPerRequest) are allowed per request")
        }
    }

    func checkedIDs(_ ids: [Int], index: Int?, model: any ServedModel) throws(ServiceError) -> TokenSequence {
        guard !ids.isEmpty else {
            let location = index.map { "tokens[\($0)]" } ?? "tokens"
            throw .unprocessable("empty_sequence", "\(location) is empty; a sequence starts with the start id 1")
        }
        do {
            return try TokenSequence(ids, vocabularySize: model.vocabularySize)
        } catch {
            let location = index.map { "tokens[\($0)][\(error.position)]" } ?? "tokens[\(error.position)]"
            throw .unprocessable("token_out_of_range", "\(location) = \(error.id) is outside the model's ids 0..<\(error.vocabularySize)")
        }
    }
}
