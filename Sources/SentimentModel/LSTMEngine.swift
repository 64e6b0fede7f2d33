import Synchronization

/// The forward pass over a batch, on precomputed tables.
///
/// Rows are sorted by length, longest first, and aligned at their ends (Keras `pre` padding):
/// a row of *n* ids starts from the stored state after `maxLength − n` padding tokens and joins
/// the running batch *n* steps before the end, so at every step the active rows are a prefix.
/// Each step is one call into ``LSTMStepKernel`` (C, AVX2 where available) for the active rows;
/// the arithmetic for a row never depends on the other rows, so batched equals unbatched exactly.
/// The input projection table (5 MB for the bundled model) does not fit in L2, so each step
/// asks for the next step's first rows ahead of time, and the kernel for each next register block.
/// Batches of ``parallelThreshold`` rows or more are cut into runs of ``chunkRows`` neighbours in
/// length order, which the calling thread and ``HelperThread/shared`` take in turn.
struct LSTMEngine: Sendable {
    let cell: LSTMStepKernel
    let maxLength: Int
    let denseKernel: [Float]
    let denseBias: Float
    /// `[maxLength + 1, units]`: hidden state after *k* padding tokens, at row *k*.
    let paddedHidden: [Float]
    /// `[maxLength + 1, units]`: cell state after *k* padding tokens, at row *k*.
    let paddedCell: [Float]
    /// Padding steps after which the state has settled (see ``prefixScores(_:)``).
    let settledPadding: Int

    /// Batches at least this large are split across two threads.
    static let parallelThreshold = 64
    /// Rows per unit of work when a batch is split.
    static let chunkRows = 8

    var units: Int { cell.units }

    init(architecture: ModelArchitecture, weights: LSTMWeights, stepPath: LSTMStepKernel.Path) {
        let cell = LSTMStepKernel(architecture: architecture, weights: weights, path: stepPath)
        let units = architecture.units
        let maxLength = architecture.maxLength
        self.cell = cell
        self.maxLength = maxLength
        self.denseKernel = weights.denseKernel
        self.denseBias = weights.denseBias.first ?? 0

        // Run `maxLength` padding tokens once through a batch of one, keeping every state.
        var hidden = [Float](repeating: 0, count: (maxLength + 1) * units)
        var state = [Float](repeating: 0, count: (maxLength + 1) * units)
        var h = [Float](repeating: 0, count: units)
        var c = [Float](repeating: 0, count: units)
        var g = [Float](repeating: 0, count: 4 * units)
        var padding = [Vocabulary.paddingID]
        for step in stride(from: 1, through: maxLength, by: 1) {
            padding.withUnsafeMutableBufferPointer { padding in
                h.withUnsafeMutableBufferPointer { h in
                    c.withUnsafeMutableBufferPointer { c in
                        g.withUnsafeMutableBufferPointer { g in cell.step(rows: 1, tokens: padding, hidden: h, cell: c, gates: g) }
                    }
                }
            }
            hidden.replaceSubrange(step * units..<(step + 1) * units, with: h)
            state.replaceSubrange(step * units..<(step + 1) * units, with: c)
        }
        self.paddedHidden = hidden
        self.paddedCell = state
        self.settledPadding = Self.settledPadding(hidden: hidden, cell: state, units: units, maxLength: maxLength)
    }

    /// Scores a batch of sequences.
    /// - Precondition: each sequence's `bound` is at most the projection table's rows, so that the
    ///   kernel's unchecked look-ups stay inside it.
    func run(_ sequences: [TokenSequence]) -> [Float] {
        guard !sequences.isEmpty else { return [] }
        for sequence in sequences {
            precondition(
                sequence.bound <= cell.vocabularySize, "a sequence checked for \(sequence.bound) ids reached a model of \(cell.vocabularySize)")
        }
        let batch = sequences.map(\.ids)
        let order = batch.indices.sorted { batch[$0].count > batch[$1].count }
        var scores = [Float](repeating: 0, count: batch.count)
        if batch.count >= Self.parallelThreshold {
            // Runs of neighbours in length order, longest first, taken by whichever thread is free:
            // if the helper was asleep it starts 50-800 µs late, and the caller works meanwhile.
            let chunks = stride(from: 0, to: order.count, by: Self.chunkRows).map { Array(order[$0..<min($0 + Self.chunkRows, order.count)]) }
            let results = chunks.map { _ in ResultBox() }
            let next = Atomic<Int>(0)
            HelperThread.shared.run { _ in
                while true {
                    let chunk = next.add(1, ordering: .relaxed).oldValue
                    guard chunk < chunks.count else { return }
                    results[chunk].values = run(batch, rows: chunks[chunk])
                }
            }
            for (chunk, rows) in chunks.enumerated() {
                for (position, row) in rows.enumerated() { scores[row] = results[chunk].values[position] }
            }
        } else {
            for (position, value) in run(batch, rows: order).enumerated() { scores[order[position]] = value }
        }
        return scores
    }

    /// Scores the rows `rows` of `batch`, which must be sorted longest first.
    private func run(_ batch: [[Int32]], rows: [Int]) -> [Float] {
        let count = rows.count
        let units = self.units
        let lengths = rows.map { min(batch[$0].count, maxLength) }
        // The kept (last `maxLength`) ids of every row, back to back, so a step gathers from one buffer.
        var ids: [Int32] = []
        ids.reserveCapacity(lengths.reduce(0, +))
        var ends: [Int] = []
        ends.reserveCapacity(count)
        for (position, row) in rows.enumerated() {
            ids.append(contentsOf: batch[row].suffix(lengths[position]))
            ends.append(ids.count)
        }
        var hidden = [Float](repeating: 0, count: count * units)
        var cell = [Float](repeating: 0, count: count * units)
        var gates = [Float](repeating: 0, count: count * 4 * units)
        // This step's ids, then (at `count...`) the next step's first block, to prefetch.
        let leadRows = LSTMStepKernel.leadRows
        var tokens = [Int32](repeating: 0, count: count + leadRows)
        let longest = lengths.first ?? 0
        let kernel = self.cell
        ids.withUnsafeBufferPointer { ids in
            tokens.withUnsafeMutableBufferPointer { tokens in
                hidden.withUnsafeMutableBufferPointer { hidden in
                    cell.withUnsafeMutableBufferPointer { cell in
                        gates.withUnsafeMutableBufferPointer { gates in
                            for (position, length) in lengths.enumerated() {
                                let row = position * units..<(position + 1) * units
                                copyPaddedState(
                                    maxLength - length, hidden: UnsafeMutableBufferPointer(rebasing: hidden[row]),
                                    cell: UnsafeMutableBufferPointer(rebasing: cell[row]))
                            }
                            var active = 0
                            for step in 0..<longest {
                                // A row joins when `remaining` of its ids are left; then it takes one per step.
                                let remaining = longest - step
                                while active < count && lengths[active] >= remaining { active += 1 }
                                for position in 0..<active { tokens[position] = ids[ends[position] - remaining] }
                                if remaining > 1 {
                                    // The next step's first rows are this step's first rows, one id on.
                                    let ahead = min(active, leadRows)
                                    for position in 0..<ahead { tokens[count + position] = ids[ends[position] - remaining + 1] }
                                    kernel.prefetch(rows: ahead, tokens: UnsafeMutableBufferPointer(rebasing: tokens[count...]))
                                }
                                kernel.step(rows: active, tokens: tokens, hidden: hidden, cell: cell, gates: gates)
                            }
                        }
                    }
                }
            }
        }
        return hidden.withUnsafeBufferPointer { hidden in
            (0..<count).map { position in score(hidden: UnsafeBufferPointer(rebasing: hidden[position * units..<(position + 1) * units])) }
        }
    }

    /// Writes the state after `padding` padding tokens into one row's `units` floats of each buffer.
    func copyPaddedState(_ padding: Int, hidden: UnsafeMutableBufferPointer<Float>, cell: UnsafeMutableBufferPointer<Float>) {
        _ = hidden.update(fromContentsOf: paddedHidden[padding * units..<(padding + 1) * units])
        _ = cell.update(fromContentsOf: paddedCell[padding * units..<(padding + 1) * units])
    }

    /// The Dense(1, sigmoid) head on one final hidden state of `units` floats.
    func score(hidden: UnsafeBufferPointer<Float>) -> Float {
        var logit = denseBias
        for k in 0..<units { logit += hidden[k] * denseKernel[k] }
        return Activation.sigmoid(logit)
    }
}

/// One chunk's results; each box is written by exactly one thread and read after `HelperThread.run` returns.
private final class ResultBox: @unchecked Sendable {
    var values: [Float] = []
}
