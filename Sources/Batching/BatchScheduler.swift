/// Something that runs submitted inputs through a model in shared forward passes:
/// ``DynamicBatcher`` (whole batches on a worker thread), ``ContinuousBatcher`` (step-level), or
/// ``InlineBatcher`` (whole batches on the submitting threads).
///
/// Threading: `submit` may be called from any thread and never blocks beyond a short lock;
/// completions run on the scheduler's own threads (``InlineBatcher``: in ``runPending(lane:)``),
/// so they must only hand results on.
public protocol BatchScheduler<Input, Output>: Sendable {
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    /// Queues `inputs` as one unit; `completion` gets every output in input order, or the first error.
    /// - Parameter timeout: nanoseconds an input may wait before a pass takes it; after that it
    ///   fails with ``BatchingError/timedOut``.
    func submit(_ inputs: [Input], timeout: UInt64, completion: @escaping BatchCompletion<Output>)

    /// Like ``submit(_:timeout:completion:)``, from the thread that serves `lane` (in the server,
    /// an I/O thread's index). Only ``InlineBatcher`` uses the lane; the default ignores it.
    func submit(_ inputs: [Input], timeout: UInt64, lane: Int, completion: @escaping BatchCompletion<Output>)

    /// Runs the work gathered on `lane`, on the calling thread, which must be the lane's. Only
    /// ``InlineBatcher`` gathers work per lane; the default does nothing.
    func runPending(lane: Int)

    /// Refuses new submissions from now on (``BatchingError/shuttingDown``); queued work still runs.
    func stopAccepting()

    /// Inputs waiting for a pass.
    var queuedCount: Int { get }
}

extension BatchScheduler {
    public func submit(_ inputs: [Input], timeout: UInt64, lane: Int, completion: @escaping BatchCompletion<Output>) {
        submit(inputs, timeout: timeout, completion: completion)
    }

    public func runPending(lane: Int) {}
}

/// One submission's results, in input order, each with the size of the batch that computed it.
public struct BatchResult<Output: Sendable>: Sendable {
    public let outputs: [Output]
    /// For a whole-batch pass, its size; for step-level batching, the most rows that shared a step with the input.
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
