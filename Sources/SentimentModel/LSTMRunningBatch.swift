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
/// Not thread-safe: one owner (a batcher's worker) adds and steps. Memory is allocated once, for
/// `capacity` rows of up to `maxLength` ids.
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
    private var engine: LSTMEngine { classifier.engine }
    private let units: Int
    private let maxLength: Int
    /// `[capacity, units]` each, row-major by position in the batch.
    private let hidden: UnsafeMutableBufferPointer<Float>
    private let cell: UnsafeMutableBufferPointer<Float>
    private let gates: UnsafeMutableBufferPointer<Float>
    /// This step's ids by position, then the next step's first two (for prefetching).
    private let tokens: UnsafeMutableBufferPointer<Int32>
    /// `[capacity, maxLength]`: the ids of the row stored in each slot.
    private let ids: UnsafeMutableBufferPointer<Int32>
    /// Per position in the batch: the row's slot in `ids`, its next index there, its end, tag and peak.
    private var slot: [Int]
    private var next: [Int]
    private var end: [Int]
    private var tag: [Int]
    private var peak: [Int]
    private var freeSlots: [Int]
    /// Rows with no ids at all: scored from the padding state at the next step.
    private var immediate: [Finished] = []

    /// - Precondition: `capacity > 0`.
    public init(classifier: LSTMClassifier, capacity: Int) {
        precondition(capacity > 0, "a running batch needs room for a row")
        self.capacity = capacity
        self.classifier = classifier
        self.units = classifier.engine.units
        self.maxLength = classifier.engine.maxLength
        hidden = .allocate(capacity: capacity * units)
        cell = .allocate(capacity: capacity * units)
        gates = .allocate(capacity: capacity * 4 * units)
        tokens = .allocate(capacity: capacity + 2)
        ids = .allocate(capacity: capacity * max(maxLength, 1))
        tokens.initialize(repeating: 0)
        slot = Array(repeating: 0, count: capacity)
        next = slot
        end = slot
        tag = slot
        peak = slot
        freeSlots = Array((0..<capacity).reversed())
    }

    deinit {
        hidden.deallocate()
        cell.deallocate()
        gates.deallocate()
        tokens.deallocate()
        ids.deallocate()
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
            let score = engine.paddedHidden.withUnsafeBufferPointer { padded in
                engine.score(hidden: UnsafeBufferPointer(rebasing: padded[padding * units..<(padding + 1) * units]))
            }
            immediate.append(Finished(tag: rowTag, score: score, peakRows: 1))
            return
        }
        let position = running
        let storage = freeSlots.removeLast()
        _ = UnsafeMutableBufferPointer(rebasing: ids[storage * maxLength..<storage * maxLength + length])
            .initialize(from: sequence.suffix(length))
        copyState(from: padding, to: position)
        slot[position] = storage
        next[position] = storage * maxLength
        end[position] = storage * maxLength + length
        tag[position] = rowTag
        peak[position] = 0
        running += 1
    }

    /// Advances every row by one id; rows that used their last id leave, reported to `finished`
    /// (so do rows added with no ids).
    public func step(_ finished: (Finished) -> Void) {
        for row in immediate { finished(row) }
        immediate.removeAll(keepingCapacity: true)
        let rows = running
        guard rows > 0 else { return }
        for position in 0..<rows {
            tokens[position] = ids[next[position]]
            next[position] += 1
            peak[position] = max(peak[position], rows)
        }
        engine.cell.withLayer { layer in
            var ahead = 0
            for position in 0..<min(rows, 2) where next[position] < end[position] {
                tokens[capacity + ahead] = ids[next[position]]
                ahead += 1
            }
            LSTMStepKernel.prefetch(layer, rows: ahead, tokens: UnsafeMutableBufferPointer(rebasing: tokens[capacity...]))
            LSTMStepKernel.step(layer, rows: rows, tokens: tokens, hidden: hidden, cell: cell, gates: gates)
        }
        // From the end, so the row moved into a vacated place has been checked already.
        for position in stride(from: rows - 1, through: 0, by: -1) where next[position] == end[position] {
            let score = engine.score(hidden: UnsafeBufferPointer(rebasing: hidden[position * units..<(position + 1) * units]))
            finished(Finished(tag: tag[position], score: score, peakRows: peak[position]))
            freeSlots.append(slot[position])
            remove(at: position)
        }
    }

    /// Moves the last row into `position`.
    private func remove(at position: Int) {
        let last = running - 1
        if position != last {
            for k in 0..<units {
                hidden[position * units + k] = hidden[last * units + k]
                cell[position * units + k] = cell[last * units + k]
            }
            slot[position] = slot[last]
            next[position] = next[last]
            end[position] = end[last]
            tag[position] = tag[last]
            peak[position] = peak[last]
        }
        running = last
    }

    /// The stored state after `padding` padding tokens, into the row at `position`.
    private func copyState(from padding: Int, to position: Int) {
        engine.paddedHidden.withUnsafeBufferPointer { padded in
            for k in 0..<units { hidden[position * units + k] = padded[padding * units + k] }
        }
        engine.paddedCell.withUnsafeBufferPointer { padded in
            for k in 0..<units { cell[position * units + k] = padded[padding * units + k] }
        }
    }
}
