import CoreMetrics
import Locking
import SentimentModel

/// One served model's metrics: its forward passes and the version in service, each series labelled with the
/// model's name, so two models' batches are told apart.
///
/// Threading: every method may be called from any thread; the handles are atomics or short locks.
final class ModelMetrics: Sendable {
    private let factory: any MetricsFactory
    private let queueWait: CoreMetrics.Timer
    private let passDuration: CoreMetrics.Timer
    private let batchSize: Recorder
    private let passTokens: Recorder
    private let info = Lock<Gauge?>(nil)
    private let loadedAt: Gauge

    init(name: String, factory: any MetricsFactory) {
        self.factory = factory
        let model = [("model", name)]
        queueWait = CoreMetrics.Timer(label: "lstm_serve_batch_queue_wait_seconds", dimensions: model, factory: factory)
        passDuration = CoreMetrics.Timer(label: "lstm_serve_forward_pass_duration_seconds", dimensions: model, factory: factory)
        batchSize = Recorder(label: "lstm_serve_batch_size", dimensions: model, aggregate: true, factory: factory)
        passTokens = Recorder(label: "lstm_serve_forward_pass_tokens", dimensions: model, aggregate: true, factory: factory)
        loadedAt = Gauge(label: "lstm_serve_model_loaded_timestamp_seconds", dimensions: model, factory: factory)
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

    /// `loaded` is served as `name` from now on: `lstm_serve_model_info` carries its labels, and no longer the
    /// previous version's.
    func modelLoaded(_ loaded: LoadedModel, name: String) {
        let model = loaded.model
        let gauge = Gauge(
            label: "lstm_serve_model_info", dimensions: [("name", name), ("sha256", model.sha256), ("version", String(loaded.version))],
            factory: factory)
        gauge.record(1)
        loadedAt.record(loaded.loadedAt)
        let previous = info.withLock { current in
            defer { current = gauge }
            return current
        }
        previous?.destroy()
    }
}
