import Batching
package import CoreMetrics
package import HTTP1
import SentimentModel
import Synchronization
package import Telemetry

/// The HTTP API of the classifier: routes, JSON, and the hand-off to the batch scheduler, for one model or several.
///
/// Three protocols share it: `/classify` (here and `+Classify`), the Open Inference Protocol (`+OpenInference`) and
/// TF Serving's REST API (`+TFServing`). Each parses its own body into token sequences and submits them through
/// ``score(_:on:version:completion:)`` to the named model's ``ModelSlot``, so all three join the same per-model
/// batches and get the same per-item results.
///
/// Threading: ``handle(_:context:respond:)`` runs on the server's I/O threads and never blocks:
/// it parses and tokenizes, then submits to the model's scheduler. With ``InlineBatcher`` (the
/// default) the same thread runs the pass in ``roundEnded()`` and calls `respond`; with
/// ``DynamicBatcher`` (whole passes on a worker thread) that thread does. Knows nothing of sockets.
///
/// Metrics: each request, refusal and forward pass is recorded through the swift-metrics factory given to
/// ``init(models:configuration:metrics:exposition:)``; `GET /metrics` answers with the exposition it is given.
package final class InferenceService: HTTPHandler {
    /// The served models, in the order they were given: the first answers requests that name none.
    package let slots: [ModelSlot]
    private let slotsByName: [String: ModelSlot]
    package let configuration: ServiceConfiguration
    private let draining = Atomic<Bool>(false)
    /// Texts admitted with `"explain": true` whose explanations are not yet written; at most ``maxExplainingTexts``.
    let explainingTexts = Atomic<Int>(0)
    let metrics: ServiceMetrics
    /// The text `GET /metrics` answers with; nil: that route is a 404.
    private let exposition: (@Sendable () -> [UInt8])?

    /// - Parameters:
    ///   - models: the models to serve and their names, at least one, names unique (the caller checks: a
    ///     duplicate is a programming error). The first answers requests that name no model.
    ///   - metrics: makes the handles the service records its metrics in (``metricDescriptions`` lists them).
    ///     Default: swift-metrics' no-op factory, which records nothing.
    ///   - exposition: the Prometheus text `GET /metrics` answers with, made at each request. Default: nil, no route.
    package init(
        models: [(name: String, model: any ServedModel)], configuration: ServiceConfiguration = .init(),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, exposition: (@Sendable () -> [UInt8])? = nil
    ) {
        precondition(!models.isEmpty, "InferenceService needs at least one model")
        self.configuration = configuration
        let metrics = ServiceMetrics(factory: metrics)
        self.metrics = metrics
        self.exposition = exposition
        let (nanoseconds, overflow) = UInt64(max(configuration.requestTimeoutMilliseconds, 0)).multipliedReportingOverflow(by: 1_000_000)
        self.requestTimeoutNanoseconds = overflow ? .max : nanoseconds
        let slots = models.map { name, model in
            ModelSlot(name: name, model: model, configuration: configuration, metrics: metrics.model(named: name))
        }
        self.slots = slots
        self.slotsByName = Dictionary(
            slots.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in preconditionFailure("duplicate model \(first.name)") })
    }

    /// One model, served under its own name.
    package convenience init(
        model: any ServedModel, configuration: ServiceConfiguration = .init(), metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        exposition: (@Sendable () -> [UInt8])? = nil
    ) {
        self.init(models: [(model.name, model)], configuration: configuration, metrics: metrics, exposition: exposition)
    }

    /// The model named `name`, or nil.
    package func slot(named name: some StringProtocol) -> ModelSlot? {
        slots.count == 1 ? (slots[0].name == name ? slots[0] : nil) : slotsByName[String(name)]
    }

    /// The first model's version new requests are admitted with.
    package var loaded: LoadedModel { slots[0].loaded }

    /// The first model new requests are admitted with.
    package var model: any ServedModel { loaded.model }

    /// Serves `model` under `name` (default: the first model's) from now on, as that slot's next version: requests
    /// already admitted finish on the version they were admitted with.
    /// - Returns: the new version, or nil if no model is served under `name`.
    @discardableResult
    package func replaceModel(_ model: any ServedModel, named name: String? = nil) -> LoadedModel? {
        guard let slot = name.map({ slot(named: $0) }) ?? slots.first else { return nil }
        return slot.replace(with: model)
    }

    /// The help texts and buckets of the metrics the service records, for a Prometheus factory.
    package static var metricDescriptions: [MetricDescription] { ServiceMetrics.descriptions }

    /// The methods of the read-only routes; built once, not per request.
    static let readOnlyMethods: [HTTPMethod] = [.GET, .HEAD]

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
        let path = RoutedPath(request.path)
        let route = path.route
        metrics.requestStarted()
        let response: HTTPResponse
        do throws(ServiceError) {
            // The routes that run a forward pass answer after it, and are counted there.
            switch route {
            case .classify:
                guard request.method == .POST else { throw ServiceError.methodNotAllowed(request.method, allowed: [.POST]) }
                return try classify(request, receivedAt: context.receivedAt, respond: respond)
            case .v2Infer:
                return try infer(request, path: path, receivedAt: context.receivedAt, respond: respond)
            case .tfPredict:
                return try predict(request, path: path, receivedAt: context.receivedAt, respond: respond)
            default:
                response = try self.response(to: request, on: path)
            }
        } catch {
            response = error.response(for: route)
        }
        metrics.requestFinished(route, status: response.status, receivedAt: context.receivedAt)
        respond(response)
    }

    /// Runs the forward passes of the requests this thread handled in its round, model by model
    /// (``InlineBatcher``; the dynamic batcher has its own thread and ignores it).
    package func roundEnded() {
        for slot in slots { slot.batcher.runPending() }
    }

    /// Renders the server's own refusals in the API's error vocabulary.
    package func response(for refusal: HTTPRefusal) -> HTTPResponse {
        metrics.rejected(RejectionReason(refusal))
        return ServiceError(refusal, retryAfterSeconds: configuration.retryAfterSeconds).response
    }

    /// The response of a route answered at once (all but those that run a forward pass).
    private func response(to request: HTTPRequest, on path: RoutedPath) throws(ServiceError) -> HTTPResponse {
        let readOnly = Self.readOnlyMethods
        switch path.route {
        case .healthz:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return Self.json { $0.field("status", "ok") }
        case .readyz:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            guard isReady else { throw .notReady }
            return Self.json { $0.field("status", "ready") }
        case .metrics:
            guard let exposition else { throw .notFound(request.path) }
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return HTTPResponse(status: .ok, contentType: MetricsExporter.contentType, body: exposition())
        case .openAPI:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return HTTPResponse(status: .ok, contentType: "application/json", body: Self.openAPIDocument)
        case .models:
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            let versions = slots.map { ($0.name, $0.loaded) }
            return Self.json { writer in
                writer.key("models")
                writer.array { writer in for (name, loaded) in versions { writer.object { ModelInfo(name: name, loaded).write(to: &$0) } } }
            }
        case .model:
            let (slot, loaded) = try version(named: path)
            guard readOnly.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: readOnly) }
            return Self.json { ModelInfo(name: slot.name, loaded).write(to: &$0) }
        case .playground:
            return try playground(request)
        case .v2Server, .v2Live, .v2Ready, .v2Model, .v2ModelReady:
            return try openInferenceResponse(to: request, on: path)
        case .classify, .v2Infer, .tfPredict, .other:
            throw .notFound(request.path)
        }
    }

    /// The model and version a per-model path names: 404 for an unknown model or a version not in service.
    func version(named path: RoutedPath) throws(ServiceError) -> (ModelSlot, LoadedModel) {
        guard let name = path.model, let slot = slot(named: name) else { throw .modelNotFound(path.model.map(String.init) ?? "") }
        let loaded = slot.loaded
        if let version = path.version, version != String(loaded.version) {
            throw ServiceError(
                status: .notFound, code: "not_found", message: "model \(slot.name) has no version \(version); version \(loaded.version) is in service"
            )
        }
        return (slot, loaded)
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
