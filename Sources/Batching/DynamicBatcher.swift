import Dispatch
import Locking
import Synchronization

/// Groups concurrent submissions into whole forward passes on one dedicated serial queue: a
/// pass runs to its end, and arrivals meanwhile gather for the next (the policy is
/// ``BatchingStateMachine``).
///
/// Threading: ``submit(_:timeout:completion:)`` may be called from any thread and never blocks
/// beyond a short lock. `process` runs on the batcher's own serial queue, one pass at a time;
/// completions are called on that queue too, so they must only hand results on, never block.
///
/// The `maxBatchDelayMicroseconds` window is a timed semaphore wait on that queue (idle then
/// anyway), not a Dispatch timer: on Linux a Dispatch timer needs a timerfd, which cannot be
/// made while the process is out of file descriptors, and the window then lasted until the next
/// submission. A pass handed to the queue (the batch filled up) ends the wait early.
public final class DynamicBatcher<Input: Sendable, Output: Sendable>: BatchScheduler {
    private typealias Pending = PendingInput<Input, Output>

    private let stateMachine: Lock<BatchingStateMachine<Pending>>
    private let queue: DispatchQueue
    private let process: @Sendable ([Input]) -> [Output]
    /// Ends a delay window's wait early (see ``waitForDeadline(_:)``).
    private let wakeUp = DispatchSemaphore(value: 0)
    /// Passes handed to the queue and not yet started.
    private let passesQueued = Atomic<Int>(0)
    /// Delay windows handed to the queue and not yet over.
    private let windowsQueued = Atomic<Int>(0)
    /// Test hook: called on the queue as each delay window begins its wait, so a test knows the window is
    /// holding the queue without sleeping. `nil` (no call) outside tests.
    private let windowWillWait: (@Sendable () -> Void)?

    /// - Parameter process: the forward pass; must return one output per input, in order.
    public convenience init(
        configuration: BatchingConfiguration, label: String = "lstm-serve.inference", process: @escaping @Sendable ([Input]) -> [Output]
    ) {
        self.init(configuration: configuration, label: label, windowWillWait: nil, process: process)
    }

    /// For tests: as ``init(configuration:label:process:)``, with `windowWillWait` called as each delay window begins its wait.
    init(
        configuration: BatchingConfiguration, label: String = "lstm-serve.inference", windowWillWait: (@Sendable () -> Void)?,
        process: @escaping @Sendable ([Input]) -> [Output]
    ) {
        self.stateMachine = Lock(BatchingStateMachine(configuration: configuration))
        self.queue = DispatchQueue(label: label, qos: .userInitiated)
        self.windowWillWait = windowWillWait
        self.process = process
    }

    /// The configuration in force.
    public var configuration: BatchingConfiguration { stateMachine.withLock { $0.configuration } }

    /// Sequences waiting for a pass.
    public var queuedCount: Int { stateMachine.withLock { $0.queuedCount } }

    /// Queues `inputs` as one unit; `completion` gets every output, or the first error.
    /// - Parameter timeout: nanoseconds an input may wait for a pass before it fails with ``BatchingError/timedOut``.
    public func submit(_ inputs: [Input], timeout: UInt64, completion: @escaping BatchCompletion<Output>) {
        guard !inputs.isEmpty else { return completion(.success(BatchResult(outputs: [], batchSizes: []))) }
        let submission = BatchSubmission(count: inputs.count, completion: completion)
        var items: [Pending] = []
        items.reserveCapacity(inputs.count)
        Pending.append(inputs, of: submission, to: &items)
        let now = Self.now()
        let action: BatchingStateMachine<Pending>.Action
        do {
            action = try stateMachine.withLock { state throws(BatchingError) in
                try state.enqueue(items, deadline: batchDeadline(now: now, timeout: timeout), now: now)
            }
        } catch {
            return completion(.failure(error))
        }
        perform(action)
    }

    private func perform(_ action: BatchingStateMachine<Pending>.Action) {
        let expired = stateMachine.withLock { $0.takeExpired() }
        for item in expired { item.submission.fail(.timedOut) }
        switch action {
        case .none:
            break
        case .startTimer(let deadline):
            windowsQueued.add(1, ordering: .sequentiallyConsistent)
            queue.async { [self] in
                windowWillWait?()
                waitForDeadline(deadline)
                windowsQueued.subtract(1, ordering: .sequentiallyConsistent)
                perform(stateMachine.withLock { $0.deadlineReached(now: Self.now()) })
            }
        case .runBatch(let items):
            passesQueued.add(1, ordering: .sequentiallyConsistent)
            // A delay window may be holding the queue: this pass must not wait for its end.
            if windowsQueued.load(ordering: .sequentiallyConsistent) > 0 { wakeUp.signal() }
            queue.async { [self] in
                passesQueued.subtract(1, ordering: .sequentiallyConsistent)
                Pending.runPass(items, items.indices, through: process)
                perform(stateMachine.withLock { $0.batchFinished(now: Self.now()) })
            }
        }
    }

    /// Blocks the queue until `deadline`, or until a pass is queued behind this window. A futex
    /// wait: it needs no file descriptor. A stray wake-up (a signal that raced with the timeout)
    /// only makes it look again.
    private func waitForDeadline(_ deadline: UInt64) {
        while passesQueued.load(ordering: .sequentiallyConsistent) == 0 {
            if wakeUp.wait(timeout: DispatchTime(uptimeNanoseconds: deadline)) == .timedOut { return }
        }
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
