/// Something that runs submitted inputs through a model in shared forward passes:
/// ``DynamicBatcher`` (whole batches on a worker thread) or ``InlineBatcher`` (whole batches on
/// the submitting threads).
///
/// Threading: `submit` may be called from any thread and never blocks beyond a short lock;
/// completions run on the scheduler's own threads (``InlineBatcher``: in ``runPending()``), so
/// they must only hand results on.
public protocol BatchScheduler<Input, Output>: Sendable {
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    /// Queues `inputs` as one unit; `completion` gets every output in input order, or the first error.
    /// - Parameter timeout: nanoseconds an input may wait before a pass takes it; after that it
    ///   fails with ``BatchingError/timedOut``.
    func submit(_ inputs: [Input], timeout: UInt64, completion: @escaping BatchCompletion<Output>)

    /// Runs the work submitted from the calling thread that is still waiting, on that thread. Only
    /// ``InlineBatcher`` gathers work per thread; the default does nothing.
    func runPending()

    /// Inputs waiting for a pass.
    var queuedCount: Int { get }
}

extension BatchScheduler {
    public func runPending() {}
}

/// One submission's results, in input order, each with the size of the batch that computed it.
public struct BatchResult<Output: Sendable>: Sendable {
    public let outputs: [Output]
    /// The size of the pass that computed each output.
    public let batchSizes: [Int]

    @usableFromInline
    init(outputs: [Output], batchSizes: [Int]) {
        self.outputs = outputs
        self.batchSizes = batchSizes
    }
}

public typealias BatchCompletion<Output: Sendable> = @Sendable (Result<BatchResult<Output>, BatchingError>) -> Void

/// The instant `timeout` nanoseconds after `now`, saturating: a timeout too long to add (such as
/// `UInt64.max`) means no deadline, where a wrapping sum would be one already past.
func batchDeadline(now: UInt64, timeout: UInt64) -> UInt64 {
    let (sum, overflow) = now.addingReportingOverflow(timeout)
    return overflow ? .max : sum
}
