/// The results of one request's sequences, as every protocol's route gets them from ``InferenceService/score(_:on:version:completion:)``.
struct ScoredBatch: Sendable {
    /// One result per sequence, in the request's order.
    let results: [ClassifyResult]
    /// The size of the largest forward pass that computed them (`X-Batch-Size`).
    let batchSize: Int
}
