import Batching
import HTTP1
import SentimentModel

extension InferenceService {
    /// `POST /classify`: validate, tokenize, submit to the batcher, answer when the pass is done (counted in the
    /// metrics there; a validation error is thrown to the caller, which counts it).
    func classify(
        _ request: HTTPRequest, receivedAt: ContinuousClock.Instant, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) throws(ServiceError) {
        try Self.requireJSON(request.headers["Content-Type"])
        var options = ClassifyOptions()
        let body = try ClassifyRequest.parse(request.body, options: &options)
        let loaded = self.loaded
        let model = loaded.model
        let sequences = try sequences(for: body, model: model)
        let texts = body.texts
        if options.explain {
            guard let texts else {
                throw .unprocessable("explain_unavailable", "explain needs text (text or texts); token ids have no words to explain")
            }
            guard texts.count <= Self.maxExplainedTexts else {
                throw .unprocessable(
                    "batch_too_large", "explain takes at most \(Self.maxExplainedTexts) texts per request; this one has \(texts.count)")
            }
        }
        let explain = options.explain
        let maxLength = model.maxLength
        let modelName = model.name
        let sha256 = model.sha256
        let retryAfter = configuration.retryAfterSeconds
        let limits = (queue: configuration.batching.maxQueueSize, timeout: configuration.requestTimeoutMilliseconds)
        let timeout = requestTimeoutNanoseconds
        let metrics = self.metrics
        let submittedAt = ContinuousClock.now
        batcher.submit(sequences.map { Scoring(model: loaded, sequence: $0, submittedAt: submittedAt) }, timeout: timeout) { outcome in
            let response: HTTPResponse
            switch outcome {
            case .success(let result):
                var results = zip(result.outputs, sequences).map { score, sequence in
                    ClassifyResult(
                        score: score, tokens: sequence.count, truncated: sequence.count > maxLength,
                        words: texts == nil ? nil : model.wordCounts(of: sequence), model: model)
                }
                // On the thread that ran the pass, after it: one more pass per text, outside the batches.
                if explain, let texts {
                    let explanations = texts.compactMap { model.explain($0) }
                    guard explanations.count == texts.count else {
                        response = ServiceError.unprocessable("explain_unavailable", "the model \(modelName) cannot explain its scores").response
                        break
                    }
                    for index in results.indices { results[index].explanation = explanations[index] }
                }
                let batchSize = result.batchSizes.max() ?? 0
                var answer = Self.json { writer in
                    if body.isBatch {
                        writer.key("results")
                        writer.array { writer in for item in results { writer.object { item.write(to: &$0) } } }
                    } else if let item = results.first {
                        item.write(to: &writer)
                    }
                    writer.key("model")
                    writer.object { writer in
                        writer.field("name", modelName)
                        writer.field("sha256", sha256)
                    }
                }
                answer.headers.add(name: "X-Batch-Size", value: String(batchSize))
                response = answer
            case .failure(.queueFull):
                metrics.rejected(.overloaded)
                response =
                    ServiceError.overloaded(
                        "the inference queue is full (the server's --max-queue is \(limits.queue) sequences); retry later",
                        retryAfterSeconds: retryAfter
                    ).response
            case .failure(.timedOut):
                metrics.rejected(.queueTimeout)
                response =
                    ServiceError(
                        status: .gatewayTimeout, code: "timeout",
                        message: "no forward pass took the request within the server's --request-timeout-ms of \(limits.timeout) ms"
                    ).response
            }
            metrics.requestFinished(.classify, status: response.status, receivedAt: receivedAt)
            respond(response)
        }
    }

    /// Most texts one request may ask to explain (32). A long review's explanation costs about 4 ms of CPU, 17 times
    /// its score (docs/performance.md), on the thread that runs passes; the cap bounds what one request can take.
    static let maxExplainedTexts = 32

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

    private func encode(_ text: String, with model: any ServedModel) throws(ServiceError) -> TokenSequence {
        guard let sequence = model.encode(text) else {
            throw .unprocessable("no_vocabulary", "this model is served without a vocabulary; send token ids ({\"tokens\": [...]})")
        }
        return sequence
    }

    private func checkCount(_ count: Int) throws(ServiceError) {
        guard count > 0 else { throw .unprocessable("empty_batch", "the batch is empty") }
        guard count <= configuration.maxItemsPerRequest else {
            throw .unprocessable(
                "batch_too_large",
                "the batch has \(count) items; the server's --max-items-per-request allows at most \(configuration.maxItemsPerRequest)")
        }
    }

    private func checkedIDs(_ ids: [Int], index: Int?, model: any ServedModel) throws(ServiceError) -> TokenSequence {
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
