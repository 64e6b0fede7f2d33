public import Locking
public import Synchronization

/// Whole-batch passes run by the threads that submit the work, with no hand-off: each lane (in the
/// server, an I/O thread) gathers what is submitted on it until ``runPending(lane:)``, which the
/// lane's thread calls at the end of its round, and runs it there, oldest first, in passes of at
/// most `maxBatchSize` inputs.
///
/// Requests read in one round share a pass, as requests that queue during a pass do with
/// ``DynamicBatcher``, but no request crosses to another thread: there is no wake-up, no context
/// switch, and each lane's thread keeps its own core busy. The price is that a lane's other work
/// (its other connections) waits while it runs a pass, and lanes never share one.
///
/// Threading: a lane's submissions and ``runPending(lane:)`` come from the lane's thread; a lock
/// per lane keeps other callers safe. Completions run in ``runPending(lane:)``, on that thread;
/// refusals (queue full, shutting down) and empty submissions complete at once on the caller's.
/// Nothing runs until the lane's thread calls ``runPending(lane:)``, so `timeout` does not apply:
/// a submission waits for the end of the current round and no longer.
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
    @usableFromInline let accepting = Atomic<Bool>(true)
    @usableFromInline let process: @Sendable ([Input]) -> [Output]

    /// - Parameters:
    ///   - lanes: how many threads submit (lane numbers are taken modulo this).
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

    /// Submits on lane 0.
    @inlinable
    public func submit(_ inputs: [Input], timeout: UInt64, completion: @escaping BatchCompletion<Output>) {
        submit(inputs, timeout: timeout, lane: 0, completion: completion)
    }

    /// Gathers `inputs` on `lane` until its thread calls ``runPending(lane:)``; all or none, so a
    /// submission that would take the lane past `maxQueueSize` fails with ``BatchingError/queueFull``.
    @inlinable
    public func submit(_ inputs: [Input], timeout: UInt64, lane: Int, completion: @escaping BatchCompletion<Output>) {
        guard accepting.load(ordering: .relaxed) else { return completion(.failure(.shuttingDown)) }
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

    /// Refuses new submissions from now on; gathered work still runs.
    @inlinable
    public func stopAccepting() {
        accepting.store(false, ordering: .relaxed)
    }

    @inlinable
    func lane(_ number: Int) -> Lane {
        let count = lanes.count
        return lanes[((number % count) + count) % count]
    }
}
