/// How work is grouped into forward passes. Every field has a documented default.
public struct BatchingConfiguration: Sendable, Equatable {
    /// The ways of sharing forward passes.
    public enum Scheduling: String, Sendable, CaseIterable {
        /// Whole batches on the threads that read the requests: each I/O thread runs the requests it
        /// read in one round as one pass, itself, with no hand-off to a worker (``InlineBatcher``).
        case inline
        /// Whole batches on a worker thread: a pass runs to its end; arrivals gather for the next
        /// (``DynamicBatcher``).
        case batch
    }

    /// Which scheduler runs. Default: ``Scheduling/inline`` (docs/performance.md, "Schedulers", compares them).
    public var scheduling: Scheduling
    /// Most sequences in one forward pass. Default: 64.
    public var maxBatchSize: Int
    /// ``Scheduling/batch`` only: how long a batch that is not full may wait for more work once the
    /// worker is idle, in microseconds. Default: 0 (no wait: an idle worker starts at once;
    /// arrivals during a pass gather for the next one anyway).
    public var maxBatchDelayMicroseconds: Int
    /// Most sequences waiting (not yet in a pass; inline: on one I/O thread); beyond it work is
    /// refused. Default: 1,024.
    public var maxQueueSize: Int

    public init(
        scheduling: Scheduling = .inline, maxBatchSize: Int = 64, maxBatchDelayMicroseconds: Int = 0, maxQueueSize: Int = 1_024
    ) {
        self.scheduling = scheduling
        self.maxBatchSize = maxBatchSize
        self.maxBatchDelayMicroseconds = maxBatchDelayMicroseconds
        self.maxQueueSize = maxQueueSize
    }
}

/// Why the batcher did not run an item.
public enum BatchingError: Error, Equatable, Sendable {
    /// The queue holds `maxQueueSize` items already.
    case queueFull
    /// The item's deadline passed before a forward pass took it.
    case timedOut
}
