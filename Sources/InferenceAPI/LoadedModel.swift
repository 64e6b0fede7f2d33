import SentimentModel

/// One version of a served model: the model, the number of its load, and when it was loaded.
///
/// Requests hold the version they were admitted with from tokenizing to their answer, so a reload never changes
/// the model under a request, and each answer's `model.sha256` names the model that computed it.
package final class LoadedModel: Sendable {
    package let model: any ServedModel
    /// 1 for the model loaded at start, one more for each successful reload.
    package let version: Int
    /// Seconds since 1970 when this version was put in service.
    package let loadedAt: Double

    package init(_ model: any ServedModel, version: Int, loadedAt: Double = Timestamp.now()) {
        self.model = model
        self.version = version
        self.loadedAt = loadedAt
    }
}

/// A sequence waiting for a pass, with the model version it was tokenized for and must be run on.
struct Scoring: Sendable {
    let model: LoadedModel
    let sequence: TokenSequence
    /// When it was handed to the batcher, for the queue-wait histogram.
    let submittedAt: ContinuousClock.Instant

    /// ``forwardPass(_:)``, recording its duration, size and tokens, and each sequence's wait, in `metrics`.
    static func forwardPass(_ batch: [Scoring], metrics: ModelMetrics) -> [Float] {
        let started = ContinuousClock.now
        let scores = forwardPass(batch)
        metrics.passFinished(batch, started: started, finished: .now)
        return scores
    }

    /// The forward pass over a batch that may hold several versions (across a reload): each run of one version is
    /// one `predict`, in order. Almost always the whole batch is one run.
    static func forwardPass(_ batch: [Scoring]) -> [Float] {
        guard let first = batch.first else { return [] }
        if batch.allSatisfy({ $0.model === first.model }) {
            return first.model.model.predict(batch.map(\.sequence))
        }
        var scores: [Float] = []
        scores.reserveCapacity(batch.count)
        var start = 0
        while start < batch.count {
            let model = batch[start].model
            var end = start + 1
            while end < batch.count && batch[end].model === model { end += 1 }
            scores += model.model.predict(batch[start..<end].map(\.sequence))
            start = end
        }
        return scores
    }
}
