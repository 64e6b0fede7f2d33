import Batching
package import CoreMetrics
package import HTTP1
import SentimentModel
import Locking
import Synchronization
package import Telemetry

/// The HTTP API of the classifier: routes, JSON, and the hand-off to the batch scheduler.
///
/// Threading: ``handle(_:context:respond:)`` runs on the server's I/O threads and never blocks:
/// it parses and tokenizes, then submits to the configured scheduler. With ``InlineBatcher`` (the
/// default) the same thread runs the pass in ``roundEnded()`` and calls `respond`; with
/// ``DynamicBatcher`` (whole passes on a worker thread) that thread does. Knows nothing of sockets.
///
/// Metrics: each request, refusal and forward pass is recorded through the swift-metrics factory given to
/// ``init(model:configuration:metrics:exposition:)``; `GET /metrics` answers with the exposition it is given.
package final class InferenceService: HTTPHandler {
    /// The model version new requests are admitted with; replaced whole by ``replaceModel(_:)``.
    private let current: Lock<LoadedModel>
    package let configuration: ServiceConfiguration
    let batcher: Scheduler
    private let draining = Atomic<Bool>(false)
    let metrics: ServiceMetrics
    /// The text `GET /metrics` answers with; nil: that route is a 404.
    private let exposition: (@Sendable () -> [UInt8])?

    /// - Parameters:
    ///   - metrics: makes the handles the service records its metrics in (``metricDescriptions`` lists them).
    ///     Default: swift-metrics' no-op factory, which records nothing.
    ///   - exposition: the Prometheus text `GET /metrics` answers with, made at each request. Default: nil, no route.
    package init(
        model: any ServedModel, configuration: ServiceConfiguration = .init(), metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        exposition: (@Sendable () -> [UInt8])? = nil
    ) {
        let first = LoadedModel(model, version: 1)
        self.current = Lock(first)
        self.configuration = configuration
        let metrics = ServiceMetrics(factory: metrics)
        metrics.modelLoaded(first)
        self.metrics = metrics
        self.exposition = exposition
        let (nanoseconds, overflow) = UInt64(max(configuration.requestTimeoutMilliseconds, 0)).multipliedReportingOverflow(by: 1_000_000)
        self.requestTimeoutNanoseconds = overflow ? .max : nanoseconds
        let batching = configuration.batching
        let forwardPass: @Sendable ([Scoring]) -> [Float] = { Scoring.forwardPass($0, metrics: metrics) }
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
        let loaded = current.withLock { current in
            current = LoadedModel(model, version: current.version + 1)
            return current
        }
        metrics.modelLoaded(loaded)
        return loaded
    }

    /// The help texts and buckets of the metrics the service records, for a Prometheus factory.
    package static var metricDescriptions: [MetricDescription] { ServiceMetrics.descriptions }

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
        let route = Route(path: request.path)
        metrics.requestStarted()
        let response: HTTPResponse
        do throws(ServiceError) {
            if route == .classify {
                guard request.method == .POST else { throw ServiceError.methodNotAllowed(request.method, allowed: [.POST]) }
                // Counted when it is answered, after its pass.
                return try classify(request, receivedAt: context.receivedAt, respond: respond)
            }
            response = try self.response(to: request, on: route)
        } catch {
            response = error.response
        }
        metrics.requestFinished(route, status: response.status, receivedAt: context.receivedAt)
        respond(response)
    }

    /// Runs the forward passes of the `/classify` requests this thread handled in its round
    /// (``InlineBatcher``; the dynamic batcher has its own thread and ignores it).
    package func roundEnded() {
        batcher.runPending()
    }

    /// Renders the server's own refusals in the API's error vocabulary.
    package func response(for refusal: HTTPRefusal) -> HTTPResponse {
        metrics.rejected(RejectionReason(refusal))
        return ServiceError(refusal, retryAfterSeconds: configuration.retryAfterSeconds).response
    }

    /// The response of a route answered at once (all but `/classify`).
    private func response(to request: HTTPRequest, on route: Route) throws(ServiceError) -> HTTPResponse {
        let readOnly = Self.readOnlyMethods
        let path = request.path
        switch route {
        case .healthz:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return Self.json { $0.field("status", "ok") }
        case .readyz:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            guard isReady else { throw .notReady }
            return Self.json { $0.field("status", "ready") }
        case .metrics:
            guard let exposition else { throw .notFound(path) }
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return HTTPResponse(status: .ok, contentType: MetricsExporter.contentType, body: exposition())
        case .models:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            let loaded = self.loaded
            return Self.json { writer in
                writer.key("models")
                writer.array { $0.object { ModelInfo(loaded).write(to: &$0) } }
            }
        case .model where path.dropFirst(Route.modelPrefix.count) == loaded.model.name:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            let loaded = self.loaded
            return Self.json { ModelInfo(loaded).write(to: &$0) }
        case .playground:
            return try playground(request)
        case .classify, .model, .other:
            throw .notFound(path)
        }
    }

    /// A 200 `application/json` response with one object written by `body`.
    static func json(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], _ body: (inout JSONWriter) -> Void) -> HTTPResponse {
        var writer = JSONWriter()
        writer.object(body)
        var response = HTTPResponse(status: status, contentType: "application/json", body: writer.line())
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
