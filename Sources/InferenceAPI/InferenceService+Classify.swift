import Batching
import HTTP1
import SentimentModel
import Synchronization

extension InferenceService {
    /// `POST /classify`: validate, tokenize, submit to the named model's batcher, answer when the pass is done (counted
    /// in the metrics there; a validation error is thrown to the caller, which counts it).
    func classify(
        _ request: HTTPRequest, receivedAt: ContinuousClock.Instant, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) throws(ServiceError) {
        try Self.requireJSON(request.headers["Content-Type"])
        var options = ClassifyOptions()
        let body = try ClassifyRequest.parse(request.body, options: &options)
        let slot: ModelSlot
        if let name = options.model {
            guard let named = self.slot(named: name) else { throw .modelNotFound(name) }
            slot = named
        } else {
            slot = slots[0]
        }
        let loaded = slot.loaded
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
        let explaining = explain ? texts?.count ?? 0 : 0
        if explaining > 0 {
            // Explanations run after their pass, outside the batches and the queue limit: this bounds their total.
            let admitted = explainingTexts.add(explaining, ordering: .relaxed).newValue
            guard admitted <= Self.maxExplainingTexts else {
                explainingTexts.subtract(explaining, ordering: .relaxed)
                throw .overloaded(
                    "more than \(Self.maxExplainingTexts) texts are being explained; try again shortly",
                    retryAfterSeconds: configuration.retryAfterSeconds)
            }
        }
        let name = slot.name
        let sha256 = model.sha256
        let metrics = self.metrics
        score(sequences, on: slot, version: loaded, countingWords: texts != nil) { outcome in
            defer { if explaining > 0 { self.explainingTexts.subtract(explaining, ordering: .relaxed) } }
            let response: HTTPResponse
            switch outcome {
            case .success(let scored):
                var results = scored.results
                // On the thread that ran the pass, after it: one more pass per text, outside the batches.
                if explain, let texts {
                    let explanations = texts.compactMap { model.explain($0) }
                    guard explanations.count == texts.count else {
                        response = ServiceError.unprocessable("explain_unavailable", "the model \(name) cannot explain its scores").response
                        break
                    }
                    for index in results.indices { results[index].explanation = explanations[index] }
                }
                var answer = Self.json { writer in
                    if body.isBatch {
                        writer.key("results")
                        writer.array { writer in for item in results { writer.object { item.write(to: &$0) } } }
                    } else if let item = results.first {
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
    /// result per sequence, in order (with word counts when `countingWords`: the sequences are texts), or the error to
    /// answer with (queue full, or no pass in time). It runs on the thread that ran the pass. Every protocol's route
    /// scores through here, so they share the batches and their results are the same per item.
    func score(
        _ sequences: [TokenSequence], on slot: ModelSlot, version: LoadedModel, countingWords: Bool = false,
        completion: @escaping @Sendable (Result<ScoredBatch, ServiceError>) -> Void
    ) {
        let model = version.model
        let maxLength = model.maxLength
        let retryAfter = configuration.retryAfterSeconds
        let limits = (queue: configuration.batching.maxQueueSize, timeout: configuration.requestTimeoutMilliseconds)
        let metrics = self.metrics
        let submittedAt = ContinuousClock.now
        let inputs = sequences.map { Scoring(model: version, sequence: $0, submittedAt: submittedAt) }
        slot.batcher.submit(inputs, timeout: requestTimeoutNanoseconds) { outcome in
            switch outcome {
            case .success(let result):
                let results = zip(result.outputs, sequences).map { score, sequence in
                    ClassifyResult(
                        score: score, tokens: sequence.count, truncated: sequence.count > maxLength,
                        words: countingWords ? model.wordCounts(of: sequence) : nil, model: model)
                }
                completion(.success(ScoredBatch(results: results, batchSize: result.batchSizes.max() ?? 0)))
            case .failure(.queueFull):
                metrics.rejected(.overloaded)
                completion(
                    .failure(
                        .overloaded(
                            "the inference queue is full (the server's --max-queue is \(limits.queue) sequences); retry later",
                            retryAfterSeconds: retryAfter)))
            case .failure(.timedOut):
                metrics.rejected(.queueTimeout)
                completion(
                    .failure(
                        ServiceError(
                            status: .gatewayTimeout, code: "timeout",
                            message: "no forward pass took the request within the server's --request-timeout-ms of \(limits.timeout) ms")))
            }
        }
    }

    /// Most texts one request may ask to explain (32). A long review's explanation costs about 4 ms of CPU, 17 times
    /// its score (docs/performance.md), on the thread that runs passes; the cap bounds what one request can take.
    package static let maxExplainedTexts = 32

    /// Most texts being explained at once, across requests (128, four requests' worth: about half a second of CPU at
    /// worst); beyond it 503 `overloaded`, so pipelined explain requests cannot hold the I/O threads.
    package static let maxExplainingTexts = 4 * maxExplainedTexts

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

    /// A request's texts encoded for `model`, after the per-request limit on their number; the first that cannot be
    /// encoded is the error. Shared by `/classify` and v2 infer.
    func encode(_ texts: [String], with model: any ServedModel) throws(ServiceError) -> [TokenSequence] {
        try checkCount(texts.count)
        var encoded: [TokenSequence] = []
        encoded.reserveCapacity(texts.count)
        for text in texts { encoded.append(try encode(text, with: model)) }
        return encoded
    }

    /// The id sequences of a request, checked against `model` and the per-request limit.
    func sequences(for request: ClassifyRequest, model: any ServedModel) throws(ServiceError) -> [TokenSequence] {
        switch request {
        case .text(let text):
            return [try encode(text, with: model)]
        case .texts(let texts):
            return try encode(texts, with: model)
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
                "batch_too_large",
                "the batch has \(count) items; the server's --max-items-per-request allows at most \(configuration.maxItemsPerRequest)")
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
