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

    private struct Entry {
        let item: Item
        let deadline: UInt64
        let enqueued: UInt64
    }

    public let configuration: BatchingConfiguration
    private var queue: [Entry] = []
    private var head = 0
    private var running = false
    private var timerDeadline: UInt64?
    private var expired: [Item] = []

    public init(configuration: BatchingConfiguration) {
        self.configuration = configuration
    }

    /// Items waiting for a pass.
    public var queuedCount: Int { queue.count - head }
    /// Whether a pass is running.
    public var isRunning: Bool { running }

    /// Offers items, all or none. Throws ``BatchingError/queueFull`` when they do not fit.
    public mutating func enqueue(_ items: [Item], deadline: UInt64, now: UInt64) throws(BatchingError) -> Action {
        guard queuedCount + items.count <= configuration.maxQueueSize else { throw .queueFull }
        for item in items { queue.append(Entry(item: item, deadline: deadline, enqueued: now)) }
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

    /// Removes every queued item (for shutdown) and returns them.
    public mutating func drainQueue() -> [Item] {
        defer {
            queue.removeAll()
            head = 0
        }
        return queue[head...].map(\.item)
    }

    private mutating func nextAction(now: UInt64) -> Action {
        guard !running else { return .none }
        dropExpiredHead(now: now)
        guard queuedCount > 0 else { return .none }
        let delay = UInt64(max(configuration.maxBatchDelayMicroseconds, 0)) * 1_000
        if delay > 0 && queuedCount < configuration.maxBatchSize {
            let deadline = queue[head].enqueued &+ delay
            if now < deadline {
                guard timerDeadline != deadline else { return .none }
                timerDeadline = deadline
                return .startTimer(deadline: deadline)
            }
        }
        timerDeadline = nil
        let limit = max(configuration.maxBatchSize, 1)
        var batch: [Item] = []
        batch.reserveCapacity(min(limit, queuedCount))
        while batch.count < limit && head < queue.count {
            let entry = queue[head]
            head += 1
            if entry.deadline <= now {
                expired.append(entry.item)
            } else {
                batch.append(entry.item)
            }
        }
        compact()
        guard !batch.isEmpty else { return .none }
        running = true
        return .runBatch(batch)
    }

    /// Expires items at the head of the queue, so a delay timer is not armed for dead work.
    private mutating func dropExpiredHead(now: UInt64) {
        while head < queue.count && queue[head].deadline <= now {
            expired.append(queue[head].item)
            head += 1
        }
    }

    private mutating func compact() {
        if head > 1_024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }
}
