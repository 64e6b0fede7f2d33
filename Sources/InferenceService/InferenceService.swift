import Batching
public import HTTP1
public import SentimentModel
import Synchronization

/// The HTTP API of the classifier: routes, JSON, and the hand-off to the batch scheduler.
///
/// Threading: ``handle(_:context:respond:)`` runs on the server's I/O threads and never blocks:
/// it parses and tokenizes, then submits to the configured scheduler (whole-batch
/// ``DynamicBatcher`` or step-level ``ContinuousBatcher``), whose threads run the forward pass and
/// call `respond`. Knows nothing of sockets.
public final class InferenceService: HTTPHandler {
    /// The model being served.
    public let model: ModelBundle
    public let configuration: ServiceConfiguration
    let batcher: any BatchScheduler<[Int32], Float>
    private let draining = Atomic<Bool>(false)

    public init(model: ModelBundle, configuration: ServiceConfiguration = .init()) {
        self.model = model
        self.configuration = configuration
        let classifier = model.classifier
        let batching = configuration.batching
        switch batching.scheduling {
        case .step:
            self.batcher = ContinuousBatcher(workers: batching.workers, maxQueueSize: batching.maxQueueSize) {
                LSTMStepBatch(classifier: classifier, capacity: max(batching.maxBatchSize, 1))
            }
        case .batch:
            self.batcher = DynamicBatcher(configuration: batching) { sequences in
                // Ids were validated before submission, so this cannot throw; NaN marks the impossible.
                (try? classifier.predict(sequences)) ?? Array(repeating: .nan, count: sequences.count)
            }
        }
    }

    /// Whether `/readyz` answers 200: the model is loaded and the service is not draining.
    public var isReady: Bool { !draining.load(ordering: .relaxed) }

    /// Turns `/readyz` to 503 for the rest of the process's life (on SIGTERM/SIGINT).
    public func beginDraining() {
        draining.store(true, ordering: .relaxed)
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        do {
            try route(request, respond: respond)
        } catch {
            respond(error.response)
        }
    }

    private func route(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) throws(ServiceError) {
        let path = request.path
        let readOnly: [HTTPMethod] = [.GET, .HEAD]
        switch path {
        case "/classify":
            guard request.method == .POST else { throw .methodNotAllowed(request.method, allowed: [.POST]) }
            try classify(request, respond: respond)
        case "/healthz":
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            respond(Self.json { $0.field("status", "ok") })
        case "/readyz":
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            guard isReady else {
                throw ServiceError(status: .serviceUnavailable, code: "not_ready", message: "the server is draining")
            }
            respond(Self.json { $0.field("status", "ready") })
        case "/v1/models":
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            respond(Self.json { writer in
                writer.key("models")
                writer.array { $0.object { ModelInfo(model).write(to: &$0) } }
            })
        case "/v1/models/" + model.name:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            respond(Self.json { ModelInfo(model).write(to: &$0) })
        default:
            throw .notFound(path)
        }
    }

    /// A 200 `application/json` response with one object written by `body`.
    static func json(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], _ body: (inout JSONWriter) -> Void) -> HTTPResponse {
        var writer = JSONWriter()
        writer.object(body)
        var response = HTTPResponse(status: status, contentType: "application/json", body: writer.bytes)
        for (name, value) in headers { response.headers.add(name: name, value: value) }
        return response
    }
}
