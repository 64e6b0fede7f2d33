import Batching
import SentimentModel

/// The model's running batch as the batcher sees it.
final class LSTMStepBatch: SteppedBatch {
    private let batch: LSTMRunningBatch
    /// Tags of sequences the model refused; they leave with NaN at the next step.
    private var refused: [Int] = []

    init(classifier: LSTMClassifier, capacity: Int) {
        batch = LSTMRunningBatch(classifier: classifier, capacity: capacity)
    }

    var capacity: Int { batch.capacity }
    var count: Int { batch.count + refused.count }

    func add(_ input: [Int32], tag: Int) {
        do {
            try batch.add(input, tag: tag)
        } catch {
            // Ids are validated before submission, so this cannot happen; NaN marks the impossible.
            refused.append(tag)
        }
    }

    func step(_ finished: (Int, Float, Int) -> Void) {
        for tag in refused { finished(tag, .nan, 1) }
        refused.removeAll()
        batch.step { finished($0.tag, $0.score, $0.peakRows) }
    }
}
