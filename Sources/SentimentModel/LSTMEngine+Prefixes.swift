/// What the model answers for each prefix of a sequence: its first *k* ids alone, for every *k*.
package struct PrefixScores: Sendable, Equatable {
    /// The score of no id at all: an input of padding only.
    package let empty: Float
    /// `scores[k - 1]` is the score of the first *k* ids read, alone (padded in front as Keras pads
    /// them). The ids read are the sequence's last `maxLength` (Keras `truncating="pre"`); the last
    /// score is the whole sequence's, bit for bit the score `LSTMClassifier.predict(_:)` gives.
    package let scores: [Float]
    /// How many ids were cut from the front of the sequence and not read.
    package let dropped: Int
}

extension LSTMEngine {
    /// The scores of every prefix of `sequence`'s ids read (see ``PrefixScores``).
    ///
    /// The padding id is not masked, and its embedding moves the LSTM's state; but after
    /// ``settledPadding`` padding steps the state settles (to within ``settledTolerance``). So every
    /// prefix that leaves the model at least that many padding steps starts from the same state,
    /// and one pass over the sequence from that state gives all their scores: the Dense(1, sigmoid)
    /// head applied to the hidden state after each step. They can differ from running each prefix
    /// alone in their last bits (the tests check 1e-6). The longer prefixes, which leave less
    /// padding, each start from a different state and are run whole, as one batch: for the bundled
    /// model, whose state settles after about 60 padding steps, the prefixes of more than about 440 ids.
    ///
    /// The pass runs one row at a time apart from the batched passes; a row's arithmetic never depends
    /// on the other rows (see `lstm_step`), so the whole sequence's score equals its score in any batch.
    /// Cost: *n* steps and *n* heads for *n* ids, plus, past `maxLength − settledPadding` ids, one
    /// pass over the last prefixes (at most `settledPadding` rows).
    /// - Precondition: the sequence's `bound` is at most the projection table's rows.
    func prefixScores(_ sequence: TokenSequence) -> PrefixScores {
        precondition(
            sequence.bound <= cell.vocabularySize, "a sequence checked for \(sequence.bound) ids reached a model of \(cell.vocabularySize)")
        let read = Array(sequence.ids.suffix(maxLength))
        // Prefixes of up to `settled` ids leave the padding state settled; the pass starts from the
        // whole sequence's own padding when that is settled too, so its last score is the sequence's.
        let settled = maxLength - settledPadding
        let units = self.units
        var hidden = [Float](repeating: 0, count: units)
        var state = [Float](repeating: 0, count: units)
        var gates = [Float](repeating: 0, count: 4 * units)
        var token: [Int32] = [0]
        var empty: Float = 0
        var scores: [Float] = []
        scores.reserveCapacity(read.count)
        hidden.withUnsafeMutableBufferPointer { hidden in
            state.withUnsafeMutableBufferPointer { state in
                gates.withUnsafeMutableBufferPointer { gates in
                    token.withUnsafeMutableBufferPointer { token in
                        copyPaddedState(maxLength, hidden: hidden, cell: state)
                        empty = score(hidden: UnsafeBufferPointer(hidden))
                        copyPaddedState(max(maxLength - read.count, settledPadding), hidden: hidden, cell: state)
                        for id in read.prefix(settled) {
                            token[0] = id
                            cell.step(rows: 1, tokens: token, hidden: hidden, cell: state, gates: gates)
                            scores.append(score(hidden: UnsafeBufferPointer(hidden)))
                        }
                    }
                }
            }
        }
        if read.count > settled {
            let longer = (settled + 1...read.count).map { TokenSequence(unchecked: Array(read[..<$0]), bound: sequence.bound) }
            scores += run(longer)
        }
        return PrefixScores(empty: empty, scores: scores, dropped: sequence.count - read.count)
    }

    /// How close a padding state must be to the last one to count as settled, in every component of
    /// the hidden and cell state. The state does not reach a fixed point bit for bit: once settled
    /// it wanders in its last bits (within 2e-7 for the bundled model, from about 60 padding steps).
    static let settledTolerance: Float = 1e-6

    /// The fewest padding steps after which the state stays settled: the first row of `paddedHidden`
    /// and `paddedCell` from which every row is within ``settledTolerance`` of the last (`maxLength`
    /// if none is).
    static func settledPadding(hidden: [Float], cell: [Float], units: Int, maxLength: Int) -> Int {
        let last = maxLength * units
        var row = maxLength
        while row > 0 {
            let start = (row - 1) * units
            let close = (0..<units).allSatisfy {
                abs(hidden[start + $0] - hidden[last + $0]) <= settledTolerance && abs(cell[start + $0] - cell[last + $0]) <= settledTolerance
            }
            guard close else { break }
            row -= 1
        }
        return row
    }
}
