/// The batching policy as a pure state machine: events in, actions out.
///
/// It owns no threads, clocks or queues: ``DynamicBatcher`` feeds it events under a lock and
/// carries out the actions it returns, so the policy is tested with plain values and a fake clock.
/// Instants are `UInt64` nanoseconds on any monotonic clock.
///
/// Policy: an idle worker starts at once (or, with a batch delay, when the batch is full or the
/// delay after its first item has passed); while a pass runs, arrivals queue and the next pass
/// takes up to `maxBatchSize` of them, oldest first. An item whose deadline has passed when a
/// pass would take it is expired instead of run.
public struct BatchingStateMachine<Item> {
    /// What the caller must do after an event.
    public enum Action {
        /// Nothing to do.
        case none
        /// Run one forward pass over these items (in queue order); report ``batchFinished(now:)`` after.
        case runBatch([Item])
        /// Call ``deadlineReached(now:)`` at this instant unless another action comes first.
        case startTimer(deadline: UInt64)
    }

    public let configuration: BatchingConfiguration
    private var queue = DeadlineQueue<Item>()
    private var running = false
    private var timerDeadline: UInt64?
    private var expired: [Item] = []

    public init(configuration: BatchingConfiguration) {
        self.configuration = configuration
    }

    /// Items waiting for a pass.
    public var queuedCount: Int { queue.count }
    /// Whether a pass is running.
    public var isRunning: Bool { running }

    /// Offers items, all or none. Throws ``BatchingError/queueFull`` when they do not fit.
    public mutating func enqueue(_ items: [Item], deadline: UInt64, now: UInt64) throws(BatchingError) -> Action {
        guard queuedCount + items.count <= configuration.maxQueueSize else { throw .queueFull }
        for item in items { queue.append(item, deadline: deadline, enqueued: now) }
        return nextAction(now: now)
    }

    /// The running pass has finished.
    public mutating func batchFinished(now: UInt64) -> Action {
        running = false
        return nextAction(now: now)
    }

    /// A timer asked for by ``Action/startTimer(deadline:)`` fired.
    public mutating func deadlineReached(now: UInt64) -> Action {
        timerDeadline = nil
        return nextAction(now: now)
    }

    /// Items that expired since the last call; the caller fails them with ``BatchingError/timedOut``.
    public mutating func takeExpired() -> [Item] {
        defer { expired.removeAll() }
        return expired
    }

    private mutating func nextAction(now: UInt64) -> Action {
        guard !running else { return .none }
        // Expire dead items at the front first, so a delay timer is not armed for them.
        queue.dropExpiredFront(now: now, expired: &expired)
        guard let frontEnqueued = queue.frontEnqueued else { return .none }
        let delay = UInt64(max(configuration.maxBatchDelayMicroseconds, 0)) * 1_000
        if delay > 0 && queuedCount < configuration.maxBatchSize {
            let deadline = frontEnqueued &+ delay
            if now < deadline {
                guard timerDeadline != deadline else { return .none }
                timerDeadline = deadline
                return .startTimer(deadline: deadline)
            }
        }
        timerDeadline = nil
        let batch = queue.take(max(configuration.maxBatchSize, 1), now: now, expired: &expired)
        guard !batch.isEmpty else { return .none }
        running = true
        return .runBatch(batch)
    }
}
