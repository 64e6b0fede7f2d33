import Batching
import Locking

/// One model the service serves under a name: its current version, its own batch scheduler and its own metrics.
///
/// Each slot batches alone, so a forward pass never mixes two models, and a reload replaces one slot's version
/// without touching the others. The service's slots are fixed at start; only their versions change.
///
/// Threading: every member may be used from any thread; the version is read under a short lock.
package final class ModelSlot: Sendable {
    /// The name clients address the model by (`--model NAME=PATH`, or the checkpoint's stem).
    package let name: String
    /// The version new requests are admitted with; replaced whole by ``replace(with:)``.
    private let current: Lock<LoadedModel>
    let batcher: InferenceService.Scheduler
    let metrics: ModelMetrics

    init(name: String, model: any ServedModel, configuration: ServiceConfiguration, metrics: ModelMetrics) {
        self.name = name
        let first = LoadedModel(model, version: 1)
        self.current = Lock(first)
        self.metrics = metrics
        metrics.modelLoaded(first, name: name)
        let batching = configuration.batching
        let forwardPass: @Sendable ([Scoring]) -> [Float] = { Scoring.forwardPass($0, metrics: metrics) }
        switch batching.scheduling {
        case .batch:
            self.batcher = .shared(DynamicBatcher(configuration: batching, process: forwardPass))
        case .inline:
            self.batcher = .inline(
                InlineBatcher(
                    lanes: InferenceService.inlineLanes, maxBatchSize: batching.maxBatchSize, maxQueueSize: batching.maxQueueSize,
                    process: forwardPass))
        }
    }

    /// The version new requests are admitted with.
    package var loaded: LoadedModel { current.withLock { $0 } }

    /// Serves `model` from now on, as the next version: requests already admitted finish on the version they were
    /// admitted with, so a forward pass never mixes a request with a model it was not tokenized for.
    func replace(with model: any ServedModel) -> LoadedModel {
        let loaded = current.withLock { current in
            current = LoadedModel(model, version: current.version + 1)
            return current
        }
        metrics.modelLoaded(loaded, name: name)
        return loaded
    }
}
