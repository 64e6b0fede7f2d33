import CLSTMKernel

/// A batch whose rows advance one id per ``step(_:)`` and join or leave independently:
/// step-level ("continuous") batching, as Orca does for transformers.
///
/// A row of *n* ids (after truncation to ``ModelArchitecture/maxLength``) starts from the stored
/// state after `maxLength − n` padding tokens, exactly as in ``LSTMClassifier/predict(_:)``, takes
/// one id per step and leaves with its score at the step that consumes its last id. A row added
/// between steps joins at the next one, so a short review never waits for a long one, and no row
/// is padded to the longest. Rows are kept contiguous (a leaving row's place is taken by the last
/// row); a row's arithmetic never depends on the others, so scores equal unbatched ones bit for bit.
///
/// Not thread-safe: one owner (a batcher's worker) adds and steps. The state buffers are allocated
/// once, for `capacity` rows; each row's ids are copied into memory of their own while it runs.
public final class LSTMRunningBatch {
    /// A row that left the batch.
    public struct Finished: Sendable, Equatable {
        /// The caller's tag from ``add(_:tag:)``.
        public let tag: Int
        /// Probability of the positive class.
        public let score: Float
        /// The most rows that shared a step with this one (itself included).
        public let peakRows: Int
    }

    /// Most rows at once.
    public let capacity: Int
    /// Rows in the batch now, including rows with no ids, which leave at the next step.
    public var count: Int { running + immediate.count }
    public var isFull: Bool { count >= capacity }
    /// Rows with ids left to consume: positions `0..<running` of the state buffers.
    private var running = 0

    private let classifier: LSTMClassifier
    private let kernel: LSTMStepKernel
    private let units: Int
    private let maxLength: Int
    /// `[capacity, units]` each, row-major by position in the batch.
    private let hidden: UnsafeMutableBufferPointer<Float>
    private let cell: UnsafeMutableBufferPointer<Float>
    private let gates: UnsafeMutableBufferPointer<Float>
    /// This step's ids by position, then (at `capacity`) the next step's likely first block, a
    /// prefetch hint only: a row leaving can reorder the rows.
    private let tokens: UnsafeMutableBufferPointer<Int32>
    /// Per position in the batch (plain memory: the per-step loops do no reference counting).
    private let rows: UnsafeMutableBufferPointer<Row>

    private struct Row {
        /// The row's kept ids, owned by the row while it runs.
        var ids: UnsafeMutableBufferPointer<Int32>
        /// Index in `ids` of the row's next id.
        var next: Int
        var tag: Int
        var peak: Int
        var hasNext: Bool { next < ids.count }
    }

    /// Rows with no ids at all: scored from the padding state at the next step.
    private var immediate: [Finished] = []

    /// - Precondition: `capacity > 0`.
    public init(classifier: LSTMClassifier, capacity: Int) {
        precondition(capacity > 0, "a running batch needs room for a row")
        self.capacity = capacity
        self.classifier = classifier
        self.kernel = classifier.engine.cell
        self.units = classifier.engine.units
        self.maxLength = classifier.engine.maxLength
        hidden = .allocate(capacity: capacity * units)
        cell = .allocate(capacity: capacity * units)
        gates = .allocate(capacity: capacity * 4 * units)
        tokens = .allocate(capacity: capacity + LSTMStepKernel.leadRows)
        rows = .allocate(capacity: capacity)
        hidden.initialize(repeating: 0)
        cell.initialize(repeating: 0)
        gates.initialize(repeating: 0)
        tokens.initialize(repeating: 0)
        rows.initialize(repeating: Row(ids: UnsafeMutableBufferPointer(start: nil, count: 0), next: 0, tag: 0, peak: 0))
    }

    deinit {
        hidden.deallocate()
        cell.deallocate()
        gates.deallocate()
        tokens.deallocate()
        for position in 0..<running { rows[position].ids.deallocate() }
        rows.deallocate()
    }

    /// Adds a row that joins at the next step; `tag` comes back with its score.
    /// - Throws: ``ModelError/tokenOutOfRange(id:vocabularySize:)``, adding nothing.
    /// - Precondition: the batch is not full.
    public func add(_ sequence: [Int32], tag rowTag: Int) throws(ModelError) {
        precondition(!isFull, "the running batch is full")
        try classifier.validate(sequence)
        let length = min(sequence.count, maxLength)
        let padding = maxLength - length
        guard length > 0 else {
            immediate.append(Finished(tag: rowTag, score: classifier.engine.paddedScore(padding), peakRows: 1))
            return
        }
        let position = running
        let ids = UnsafeMutableBufferPointer<Int32>.allocate(capacity: length)
        _ = ids.initialize(fromContentsOf: sequence.suffix(length))
        classifier.engine.copyPaddedState(padding, hidden: rowBuffer(hidden, position), cell: rowBuffer(cell, position))
        rows[position] = Row(ids: ids, next: 0, tag: rowTag, peak: 0)
        running += 1
    }

    /// Advances every row by one id; rows that used their last id leave, reported to `finished`
    /// (so do rows added with no ids).
    public func step(_ finished: (Finished) -> Void) {
        for row in immediate { finished(row) }
        immediate.removeAll(keepingCapacity: true)
        let active = running
        guard active > 0 else { return }
        for position in 0..<active {
            tokens[position] = rows[position].ids[rows[position].next]
            rows[position].next += 1
            rows[position].peak = max(rows[position].peak, active)
        }
        var ahead = 0
        for position in 0..<min(active, LSTMStepKernel.leadRows) where rows[position].hasNext {
            tokens[capacity + ahead] = rows[position].ids[rows[position].next]
            ahead += 1
        }
        kernel.prefetch(rows: ahead, tokens: UnsafeMutableBufferPointer(rebasing: tokens[capacity...]))
        kernel.step(rows: active, tokens: tokens, hidden: hidden, cell: cell, gates: gates)
        // From the end, so the row moved into a vacated place has been checked already.
        for position in stride(from: active - 1, through: 0, by: -1) where !rows[position].hasNext {
            let row = rows[position]
            let score = classifier.engine.score(hidden: UnsafeBufferPointer(rowBuffer(hidden, position)))
            row.ids.deallocate()
            remove(at: position)
            finished(Finished(tag: row.tag, score: score, peakRows: row.peak))
        }
    }

    /// Moves the last row into `position`.
    private func remove(at position: Int) {
        let last = running - 1
        if position != last {
            _ = rowBuffer(hidden, position).update(fromContentsOf: rowBuffer(hidden, last))
            _ = rowBuffer(cell, position).update(fromContentsOf: rowBuffer(cell, last))
            rows[position] = rows[last]
        }
        running = last
    }

    /// The `units` floats of the row at `position`.
    private func rowBuffer(_ buffer: UnsafeMutableBufferPointer<Float>, _ position: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: buffer[position * units..<(position + 1) * units])
    }
}
