/// How the dynamic batcher groups work. Every field has a documented default.
public struct BatchingConfiguration: Sendable, Equatable {
    /// Most sequences in one forward pass. Default: 64.
    public var maxBatchSize: Int
    /// How long a batch that is not full may wait for more work once the worker is idle, in
    /// microseconds. Default: 0 (no wait: an idle worker starts at once; arrivals during a pass
    /// gather for the next one anyway).
    public var maxBatchDelayMicroseconds: Int
    /// Most sequences waiting (not yet in a pass); beyond it work is refused. Default: 1,024.
    public var maxQueueSize: Int

    public init(maxBatchSize: Int = 64, maxBatchDelayMicroseconds: Int = 0, maxQueueSize: Int = 1_024) {
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
    /// The batcher is shutting down and takes no new work.
    case shuttingDown
}
