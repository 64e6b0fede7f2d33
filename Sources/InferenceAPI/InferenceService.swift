import Batching
package import HTTP1
import SentimentModel
import Locking
import Synchronization

/// The HTTP API of the classifier: routes, JSON, and the hand-off to the batch scheduler.
///
/// Threading: ``handle(_:context:respond:)`` runs on the server's I/O threads and never blocks:
/// it parses and tokenizes, then submits to the configured scheduler. With ``InlineBatcher`` (the
/// default) the same thread runs the pass in ``roundEnded()`` and calls `respond`; with
/// ``DynamicBatcher`` (whole passes on a worker thread) that thread does. Knows nothing of sockets.
package final class InferenceService: HTTPHandler {
    /// The model version new requests are admitted with; replaced whole by ``replaceModel(_:)``.
    private let current: Lock<LoadedModel>
    package let configuration: ServiceConfiguration
    let batcher: Scheduler
    private let draining = Atomic<Bool>(false)

    package init(model: any ServedModel, configuration: ServiceConfiguration = .init()) {
        self.current = Lock(LoadedModel(model, version: 1))
        self.configuration = configuration
        let (nanoseconds, overflow) = UInt64(max(configuration.requestTimeoutMilliseconds, 0)).multipliedReportingOverflow(by: 1_000_000)
        self.requestTimeoutNanoseconds = overflow ? .max : nanoseconds
        let batching = configuration.batching
        let forwardPass: @Sendable ([Scoring]) -> [Float] = { Scoring.forwardPass($0) }
        switch batching.scheduling {
        case .batch:
            self.batcher = .shared(DynamicBatcher(configuration: batching, process: forwardPass))
        case .inline:
            self.batcher = .inline(
                InlineBatcher(
                    lanes: Self.inlineLanes, maxBatchSize: batching.maxBatchSize, maxQueueSize: batching.maxQueueSize,
                    process: forwardPass))
        }
    }

    /// The model version new requests are admitted with.
    package var loaded: LoadedModel { current.withLock { $0 } }

    /// The model new requests are admitted with.
    package var model: any ServedModel { loaded.model }

    /// Serves `model` from now on, as the next version: requests already admitted finish on the model they were
    /// admitted with, so a forward pass never mixes a request with a model it was not tokenized for.
    /// - Returns: the new version.
    @discardableResult
    package func replaceModel(_ model: any ServedModel) -> LoadedModel {
        current.withLock { current in
            current = LoadedModel(model, version: current.version + 1)
            return current
        }
    }

    /// The methods of the read-only routes; built once, not per request.
    private static let readOnlyMethods: [HTTPMethod] = [.GET, .HEAD]

    /// Lanes of the inline scheduler: one per submitting thread up to this many. Threads beyond it
    /// share lanes: still correct, but then they share a lane's `maxQueueSize`.
    package static let inlineLanes = 1_024

    /// How long a sequence may wait for a pass, in nanoseconds, saturating rather than trapping
    /// for any `requestTimeoutMilliseconds`; computed once, not per request.
    let requestTimeoutNanoseconds: UInt64

    /// Whether `/readyz` answers 200: the model is loaded and the service is not draining.
    package var isReady: Bool { !draining.load(ordering: .relaxed) }

    /// Turns `/readyz` to 503 for the rest of the process's life (on SIGTERM/SIGINT).
    package func beginDraining() {
        draining.store(true, ordering: .relaxed)
    }

    package func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        do {
            try route(request, respond: respond)
        } catch {
            respond(error.response)
        }
    }

    /// Runs the forward passes of the `/classify` requests this thread handled in its round
    /// (``InlineBatcher``; the dynamic batcher has its own thread and ignores it).
    package func roundEnded() {
        batcher.runPending()
    }

    /// Renders the server's own refusals in the API's error vocabulary.
    package func response(for refusal: HTTPRefusal) -> HTTPResponse {
        ServiceError(refusal, retryAfterSeconds: configuration.retryAfterSeconds).response
    }

    private func route(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) throws(ServiceError) {
        let path = request.path
        let readOnly = Self.readOnlyMethods
        switch path {
        case "/classify":
            guard request.method == .POST else { throw .methodNotAllowed(request.method, allowed: [.POST]) }
            try classify(request, respond: respond)
        case "/healthz":
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            respond(Self.json { $0.field("status", "ok") })
        case "/readyz":
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            guard isReady else { throw .notReady }
            respond(Self.json { $0.field("status", "ready") })
        case "/v1/models":
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            let loaded = self.loaded
            respond(
                Self.json { writer in
                    writer.key("models")
                    writer.array { $0.object { ModelInfo(loaded).write(to: &$0) } }
                })
        case _ where path.hasPrefix("/v1/models/") && path.dropFirst("/v1/models/".count) == loaded.model.name:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            let loaded = self.loaded
            respond(Self.json { ModelInfo(loaded).write(to: &$0) })
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

extension InferenceService {
    /// The batch scheduler. ``InlineBatcher`` is held by its concrete type, so that its inlinable
    /// code is specialized here: it runs on the I/O threads for every request.
    enum Scheduler: Sendable {
        case inline(InlineBatcher<Scoring, Float>)
        /// A scheduler with a thread of its own.
        case shared(any BatchScheduler<Scoring, Float>)

        func submit(_ inputs: [Scoring], timeout: UInt64, completion: @escaping BatchCompletion<Float>) {
            switch self {
            case .inline(let batcher): batcher.submit(inputs, timeout: timeout, completion: completion)
            case .shared(let batcher): batcher.submit(inputs, timeout: timeout, completion: completion)
            }
        }

        func runPending() {
            if case .inline(let batcher) = self { batcher.runPending() }
        }
    }
}
