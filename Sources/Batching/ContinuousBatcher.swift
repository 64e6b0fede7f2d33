import Dispatch
import Synchronization

/// Step-level ("continuous") batching, as Orca does for transformers: each worker keeps a running
/// batch and, between any two steps, lets queued inputs join and finished ones leave, so a short
/// input never waits for a long one, and an arrival never waits for a whole pass to end.
///
/// Workers share one FIFO queue. A worker runs while its batch has rows or the queue has inputs,
/// taking as many queued inputs as its batch has room for before every step, and sleeps when
/// both are empty. A submission wakes one sleeping worker, and a worker that leaves inputs in the
/// queue wakes another, so a large submission spreads over idle workers.
///
/// Threading: ``submit(_:timeout:completion:)`` may be called from any thread and never blocks
/// beyond a short lock. Each worker runs on its own serial queue, where results and timeouts are
/// completed, so completions must only hand results on, never block; refusals (queue full,
/// shutting down) and empty submissions complete at once on the caller's thread.
public final class ContinuousBatcher<Batch: SteppedBatch>: BatchScheduler {
    public typealias Input = Batch.Input
    public typealias Output = Batch.Output

    private typealias Pending = PendingInput<Input, Output>

    private struct Shared {
        var queue = DeadlineQueue<Pending>()
        var idleWorkers: [Int]
    }

    /// A worker's batch and the inputs in it by tag; touched only on the worker's queue.
    private final class Worker: @unchecked Sendable {
        let queue: DispatchQueue
        let batch: Batch
        var inFlight: [Pending?]
        var freeTags: [Int]

        init(label: String, batch: Batch) {
            self.queue = DispatchQueue(label: label, qos: .userInitiated)
            self.batch = batch
            self.inFlight = Array(repeating: nil, count: batch.capacity)
            self.freeTags = Array((0..<batch.capacity).reversed())
        }
    }

    public let maxQueueSize: Int
    private let shared: Mutex<Shared>
    /// Mirrors `shared.queue.count`, so a busy worker can skip the lock when nothing is queued.
    private let queued = Atomic<Int>(0)
    private let accepting = Atomic<Bool>(true)
    private let workers: [Worker]

    /// - Parameters:
    ///   - workers: how many running batches step in parallel (one per core is the natural choice).
    ///   - maxQueueSize: most inputs waiting to join a batch; beyond it submissions fail with ``BatchingError/queueFull``.
    ///   - makeBatch: one empty batch per worker.
    /// - Precondition: every batch has room for at least one row.
    public init(workers: Int, maxQueueSize: Int, label: String = "lstm-serve.inference", makeBatch: () -> Batch) {
        let count = max(workers, 1)
        self.maxQueueSize = maxQueueSize
        self.workers = (0..<count).map { Worker(label: "\(label).\($0)", batch: makeBatch()) }
        precondition(self.workers.allSatisfy { $0.batch.capacity > 0 }, "a running batch needs room for a row")
        self.shared = Mutex(Shared(idleWorkers: Array((0..<count).reversed())))
    }

    public var queuedCount: Int { queued.load(ordering: .relaxed) }

    public func submit(_ inputs: [Input], timeout: UInt64, completion: @escaping BatchCompletion<Output>) {
        guard accepting.load(ordering: .relaxed) else { return completion(.failure(.shuttingDown)) }
        guard !inputs.isEmpty else { return completion(.success(BatchResult(outputs: [], batchSizes: []))) }
        let submission = BatchSubmission(count: inputs.count, completion: completion)
        let now = Self.now()
        let deadline = batchDeadline(now: now, timeout: timeout)
        let wake: Int?? = shared.withLock { shared in
            guard shared.queue.count + inputs.count <= maxQueueSize else { return .none }
            for (index, input) in inputs.enumerated() {
                shared.queue.append(Pending(input: input, index: index, submission: submission), deadline: deadline, enqueued: now)
            }
            queued.store(shared.queue.count, ordering: .relaxed)
            return .some(shared.idleWorkers.popLast())
        }
        guard let wake else { return completion(.failure(.queueFull)) }
        if let index = wake { start(index) }
    }

    public func stopAccepting() {
        accepting.store(false, ordering: .relaxed)
    }

    /// Runs the loop of a worker just taken off the idle list.
    private func start(_ index: Int) {
        let worker = workers[index]
        worker.queue.async { [self] in run(worker, index: index) }
    }

    /// A worker's loop: take what fits, step, deliver; until the batch and the queue are empty.
    /// What it leaves in the queue (more than its batch has room for) wakes an idle worker.
    private func run(_ worker: Worker, index: Int) {
        let batch = worker.batch
        while true {
            let room = batch.capacity - batch.count
            var taken: [Pending] = []
            if room > 0 && (batch.count == 0 || queued.load(ordering: .relaxed) > 0) {
                let (live, expired, helper) = shared.withLock { shared in
                    var expired: [Pending] = []
                    let live = shared.queue.take(room, now: Self.now(), expired: &expired)
                    queued.store(shared.queue.count, ordering: .relaxed)
                    if live.isEmpty && batch.count == 0 { shared.idleWorkers.append(index) }
                    let helper = shared.queue.count > 0 ? shared.idleWorkers.popLast() : nil
                    return (live, expired, helper)
                }
                if let helper { start(helper) }
                for item in expired { item.submission.fail(.timedOut) }
                taken = live
            }
            if taken.isEmpty && batch.count == 0 { return }
            for item in taken {
                let tag = worker.freeTags.removeLast()
                worker.inFlight[tag] = item
                batch.add(item.input, tag: tag)
            }
            batch.step { tag, output, rows in
                guard let item = worker.inFlight[tag] else { preconditionFailure("a batch reported tag \(tag), which is not running") }
                worker.inFlight[tag] = nil
                worker.freeTags.append(tag)
                item.submission.deliver(output, at: item.index, batchSize: rows)
            }
        }
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
