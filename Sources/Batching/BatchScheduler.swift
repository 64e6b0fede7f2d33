/// Something that runs submitted inputs through a model in shared forward passes:
/// ``DynamicBatcher`` (whole batches) or ``ContinuousBatcher`` (step-level).
///
/// Threading: every method may be called from any thread and never blocks beyond a short lock;
/// completions run on the scheduler's own threads, so they must only hand results on.
public protocol BatchScheduler<Input, Output>: Sendable {
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    /// Queues `inputs` as one unit; `completion` gets every output in input order, or the first error.
    /// - Parameter timeout: nanoseconds an input may wait before a pass takes it; after that it
    ///   fails with ``BatchingError/timedOut``.
    func submit(_ inputs: [Input], timeout: UInt64, completion: @escaping BatchCompletion<Output>)

    /// Refuses new submissions from now on (``BatchingError/shuttingDown``); queued work still runs.
    func stopAccepting()

    /// Inputs waiting for a pass.
    var queuedCount: Int { get }
}

/// One submission's results, in input order, each with the size of the batch that computed it.
public struct BatchResult<Output: Sendable>: Sendable {
    public let outputs: [Output]
    /// For a whole-batch pass, its size; for step-level batching, the most rows that shared a step with the input.
    public let batchSizes: [Int]
}

public typealias BatchCompletion<Output: Sendable> = @Sendable (Result<BatchResult<Output>, BatchingError>) -> Void
