public import Locking

/// Whole-batch passes run by the threads that submit the work, with no hand-off: each thread's lane
/// gathers what the thread submits until the thread calls ``runPending()`` (in the server, at the
/// end of each I/O round), and runs it there, oldest first, in passes of at most `maxBatchSize`
/// inputs.
///
/// Requests read in one round share a pass, as requests that queue during a pass do with
/// ``DynamicBatcher``, but no request crosses to another thread: there is no wake-up, no context
/// switch, and each lane's thread keeps its own core busy. The price is that a lane's other work
/// (its other connections) waits while it runs a pass, and lanes never share one.
///
/// Threading: a thread's lane is found from ``ThreadNumber`` (modulo the lane count), so threads
/// beyond the lane count share lanes: still correct, as a lane is locked and any thread that shares
/// it runs it, but then a thread may run another's work, and they share its `maxQueueSize`.
/// Completions run in ``runPending()``, on the thread that calls it; refusals (queue full) and
/// empty submissions complete at once on the caller's. Nothing runs until a thread of the lane
/// calls ``runPending()``, so `timeout` does not apply: a submission waits for the end of the
/// current round and no longer.
///
/// Its code is inlinable: a caller holding an `InlineBatcher` of concrete types runs specialized
/// code, without a generic metadata look-up per request.
public final class InlineBatcher<Input: Sendable, Output: Sendable>: BatchScheduler {
    @usableFromInline
    typealias Pending = PendingInput<Input, Output>

    @usableFromInline
    final class Lane: Sendable {
        @usableFromInline let pending = Lock<[Pending]>([])

        @usableFromInline
        init() {}
    }

    public let maxBatchSize: Int
    /// Most inputs one lane may hold before its next ``runPending(lane:)``.
    public let maxQueueSize: Int
    @usableFromInline let lanes: [Lane]
    @usableFromInline let process: @Sendable ([Input]) -> [Output]

    /// - Parameters:
    ///   - lanes: how many threads may submit without sharing a lane (lane numbers are taken modulo this).
    ///   - process: the forward pass; must return one output per input, in order.
    public init(lanes: Int, maxBatchSize: Int, maxQueueSize: Int, process: @escaping @Sendable ([Input]) -> [Output]) {
        self.lanes = (0..<max(lanes, 1)).map { _ in Lane() }
        self.maxBatchSize = max(maxBatchSize, 1)
        self.maxQueueSize = maxQueueSize
        self.process = process
    }

    /// Inputs gathered on every lane and not yet run.
    @inlinable
    public var queuedCount: Int {
        var total = 0
        for lane in lanes { total += lane.pending.withLock { $0.count } }
        return total
    }

    /// Submits on the calling thread's lane.
    @inlinable
    public func submit(_ inputs: [Input], timeout: UInt64, completion: @escaping BatchCompletion<Output>) {
        submit(inputs, timeout: timeout, lane: ThreadNumber.current, completion: completion)
    }

    /// Runs everything gathered on the calling thread's lane, on this thread, and completes it.
    @inlinable
    public func runPending() {
        runPending(lane: ThreadNumber.current)
    }

    /// Gathers `inputs` on `lane` until ``runPending(lane:)``; all or none, so a submission that
    /// would take the lane past `maxQueueSize` fails with ``BatchingError/queueFull``.
    @inlinable
    public func submit(_ inputs: [Input], timeout: UInt64, lane: Int, completion: @escaping BatchCompletion<Output>) {
        guard !inputs.isEmpty else { return completion(.success(BatchResult(outputs: [], batchSizes: []))) }
        let submission = BatchSubmission(count: inputs.count, completion: completion)
        let accepted = self.lane(lane).pending.withLock { pending in
            guard pending.count + inputs.count <= maxQueueSize else { return false }
            Pending.append(inputs, of: submission, to: &pending)
            return true
        }
        if !accepted { completion(.failure(.queueFull)) }
    }

    /// Runs everything gathered on `lane`, on the calling thread, and completes it.
    @inlinable
    public func runPending(lane: Int) {
        var items: [Pending] = []
        self.lane(lane).pending.withLock { swap(&items, &$0) }
        for start in stride(from: 0, to: items.count, by: maxBatchSize) {
            Pending.runPass(items, start..<min(start + maxBatchSize, items.count), through: process)
        }
    }

    @inlinable
    func lane(_ number: Int) -> Lane {
        let count = lanes.count
        return lanes[((number % count) + count) % count]
    }
}
