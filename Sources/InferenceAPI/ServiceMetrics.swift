import CoreMetrics
import HTTP1
import Locking
import SentimentModel
import Telemetry

/// The service's metrics, recorded through swift-metrics handles made once from the factory the service is given
/// (nothing is looked up by name or label on the request path but an uncommon status's counter).
///
/// Threading: every method may be called from any thread; the handles are atomics or short locks.
final class ServiceMetrics: Sendable {
    /// The help texts and buckets of the metrics recorded here, for a Prometheus factory.
    static let descriptions: [MetricDescription] = [
        MetricDescription("lstm_serve_http_requests_total", help: "HTTP requests answered, by route template and status code."),
        MetricDescription(
            "lstm_serve_http_request_duration_seconds", help: "Seconds from a request read in full to its response handed to the server, by route.",
            buckets: MetricDescription.secondsBuckets),
        MetricDescription("lstm_serve_requests_in_flight", help: "Requests read and not yet answered."),
        MetricDescription(
            "lstm_serve_http_rejected_requests_total",
            help: "Requests refused before or instead of a forward pass, by reason (overload, size limits, timeouts)."),
        MetricDescription(
            "lstm_serve_batch_queue_wait_seconds", help: "Seconds each sequence waited from submission to the start of its forward pass.",
            buckets: MetricDescription.secondsBuckets),
        MetricDescription(
            "lstm_serve_forward_pass_duration_seconds", help: "Seconds each forward pass took.", buckets: MetricDescription.secondsBuckets),
        MetricDescription("lstm_serve_batch_size", help: "Sequences per forward pass.", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256]),
        MetricDescription(
            "lstm_serve_forward_pass_tokens", help: "Token ids read per forward pass (each sequence's, up to the model's maximum length).",
            buckets: [16, 64, 256, 1_024, 4_096, 16_384, 65_536]),
        MetricDescription("lstm_serve_model_info", help: "The model being served: always 1, with its name, SHA-256 and version as labels."),
        MetricDescription("lstm_serve_model_loaded_timestamp_seconds", help: "When the model being served was loaded, in seconds since 1970."),
    ]

    private let factory: any MetricsFactory
    private let routes: [RouteMetrics]
    private let inFlight: Meter
    private let rejections: [Counter]
    private let queueWait: CoreMetrics.Timer
    private let passDuration: CoreMetrics.Timer
    private let batchSize: Recorder
    private let passTokens: Recorder
    private let modelInfo = Lock<Gauge?>(nil)
    private let modelLoadedAt: Gauge

    init(factory: any MetricsFactory) {
        self.factory = factory
        routes = Route.allCases.map { RouteMetrics($0, factory: factory) }
        inFlight = Meter(label: "lstm_serve_requests_in_flight", dimensions: [], factory: factory)
        rejections = RejectionReason.allCases.map {
            Counter(label: "lstm_serve_http_rejected_requests_total", dimensions: [("reason", $0.rawValue)], factory: factory)
        }
        queueWait = CoreMetrics.Timer(label: "lstm_serve_batch_queue_wait_seconds", dimensions: [], factory: factory)
        passDuration = CoreMetrics.Timer(label: "lstm_serve_forward_pass_duration_seconds", dimensions: [], factory: factory)
        batchSize = Recorder(label: "lstm_serve_batch_size", dimensions: [], aggregate: true, factory: factory)
        passTokens = Recorder(label: "lstm_serve_forward_pass_tokens", dimensions: [], aggregate: true, factory: factory)
        modelLoadedAt = Gauge(label: "lstm_serve_model_loaded_timestamp_seconds", dimensions: [], factory: factory)
    }

    /// A request was handed to the service.
    func requestStarted() {
        inFlight.increment()
    }

    /// The service answered a request on `route` with `status`; it had been read in full at `receivedAt`.
    func requestFinished(_ route: Route, status: HTTPStatus, receivedAt: ContinuousClock.Instant) {
        let metrics = routes[route.rawValue]
        metrics.duration.recordNanoseconds((ContinuousClock.now - receivedAt).nanoseconds)
        metrics.counter(for: status).increment()
        inFlight.decrement()
    }

    /// A request was refused for `reason`.
    func rejected(_ reason: RejectionReason) {
        rejections[reason.index].increment()
    }

    /// A forward pass over `batch` ran from `started` to `finished`.
    func passFinished(_ batch: [Scoring], started: ContinuousClock.Instant, finished: ContinuousClock.Instant) {
        guard let first = batch.first else { return }
        let maxLength = first.model.model.maxLength
        var tokens = 0
        for item in batch {
            queueWait.recordNanoseconds((started - item.submittedAt).nanoseconds)
            tokens += min(item.sequence.count, maxLength)
        }
        passDuration.recordNanoseconds((finished - started).nanoseconds)
        batchSize.record(batch.count)
        passTokens.record(tokens)
    }

    /// `loaded` is served from now on: `lstm_serve_model_info` carries its labels, and only its.
    func modelLoaded(_ loaded: LoadedModel) {
        let model = loaded.model
        let info = Gauge(
            label: "lstm_serve_model_info", dimensions: [("name", model.name), ("sha256", model.sha256), ("version", String(loaded.version))],
            factory: factory)
        info.record(1)
        modelLoadedAt.record(loaded.loadedAt)
        let previous = modelInfo.withLock { current in
            defer { current = info }
            return current
        }
        previous?.destroy()
    }
}

/// The route template a request is counted under: a bounded set, never the raw path.
enum Route: Int, CaseIterable, Sendable {
    case classify, healthz, readyz, metrics, models, model, playground, other

    init(path: String) {
        switch path {
        case "/classify": self = .classify
        case "/healthz": self = .healthz
        case "/readyz": self = .readyz
        case "/metrics": self = .metrics
        case "/v1/models": self = .models
        case "/": self = .playground
        case _ where path.hasPrefix(Self.modelPrefix): self = .model
        default: self = .other
        }
    }

    static let modelPrefix = "/v1/models/"

    /// The `route` label's value.
    var label: String {
        switch self {
        case .classify: "/classify"
        case .healthz: "/healthz"
        case .readyz: "/readyz"
        case .metrics: "/metrics"
        case .models: "/v1/models"
        case .model: "/v1/models/{name}"
        case .playground: "/"
        case .other: "other"
        }
    }
}

/// Why a request was refused: the `reason` label of `lstm_serve_http_rejected_requests_total`.
enum RejectionReason: String, CaseIterable, Sendable {
    /// Not a request this server accepts (HTTPParseError other than a size limit), or a body that does not decode.
    case malformed
    /// The body is over `--max-body-bytes`, as sent or once decompressed (413).
    case bodyTooLarge = "body_too_large"
    /// The request line or headers are over a limit (414, 431).
    case headersTooLarge = "headers_too_large"
    /// The head did not arrive in time (408).
    case headTimeout = "head_timeout"
    /// The body did not arrive in time (408).
    case bodyTimeout = "body_timeout"
    /// Over `--max-connections`, or out of descriptors (503, connection closed).
    case tooManyConnections = "too_many_connections"
    /// A `Content-Encoding` the server does not decode (415).
    case unsupportedEncoding = "unsupported_encoding"
    /// The batch queue was full (503 `overloaded`).
    case overloaded
    /// A sequence waited longer than `--request-timeout-ms` for a pass (504).
    case queueTimeout = "queue_timeout"

    /// The reason for a refusal by the server.
    init(_ refusal: HTTPRefusal) {
        switch refusal {
        case .headTimeout: self = .headTimeout
        case .bodyTimeout: self = .bodyTimeout
        case .tooManyConnections: self = .tooManyConnections
        case .unsupportedContentEncoding: self = .unsupportedEncoding
        case .invalidCompressedBody: self = .malformed
        case .limitExceeded(.headTimeout): self = .headTimeout
        case .limitExceeded(.bodyTimeout): self = .bodyTimeout
        case .malformed, .limitExceeded:
            switch refusal.status {
            case .contentTooLarge: self = .bodyTooLarge
            case .requestHeaderFieldsTooLarge, .uriTooLong: self = .headersTooLarge
            default: self = .malformed
            }
        }
    }

    /// The index of its counter.
    var index: Int { Self.allCases.firstIndex(of: self)! }
}

/// One route's handles: its duration histogram and its request counters by status, the 200 one made up front
/// (but for `other`, which never answers 200).
private final class RouteMetrics: Sendable {
    let duration: CoreMetrics.Timer
    private let label: String
    private let ok: Counter?
    private let factory: any MetricsFactory
    private let byStatus = Lock<[Int: Counter]>([:])

    init(_ route: Route, factory: any MetricsFactory) {
        label = route.label
        self.factory = factory
        duration = CoreMetrics.Timer(label: "lstm_serve_http_request_duration_seconds", dimensions: [("route", label)], factory: factory)
        ok = route == .other ? nil : Self.counter(route: label, status: 200, factory: factory)
    }

    func counter(for status: HTTPStatus) -> Counter {
        if status.code == 200, let ok { return ok }
        return byStatus.withLock { counters in
            if let counter = counters[status.code] { return counter }
            let counter = Self.counter(route: label, status: status.code, factory: factory)
            counters[status.code] = counter
            return counter
        }
    }

    private static func counter(route: String, status: Int, factory: any MetricsFactory) -> Counter {
        Counter(label: "lstm_serve_http_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : whole &+ attoseconds / 1_000_000_000
    }
}
