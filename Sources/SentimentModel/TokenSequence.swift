/// One review's unpadded token ids, each checked to lie in `0..<bound`: the only input the forward
/// pass takes.
///
/// The C kernel reads `projection + id * 4U` with no bound of its own (see `lstm_kernel.h`), so an
/// unchecked id would read outside the table. A sequence can only be built by checking its ids
/// (``init(_:vocabularySize:)``) or by a vocabulary, whose ids are in range by construction; the
/// engine then needs one comparison per sequence, `bound <= its table's rows`, not one per id.
package struct TokenSequence: Sendable, Hashable {
    /// The ids, start id first, unpadded and untruncated.
    package let ids: [Int32]
    /// Every id is less than this.
    package let bound: Int

    /// Checks every id against a table of `vocabularySize` rows; throws for the first id outside it.
    package init(_ ids: [Int32], vocabularySize: Int) throws(TokenOutOfRange) {
        if let position = ids.firstIndex(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw TokenOutOfRange(id: Int(ids[position]), position: position, vocabularySize: vocabularySize)
        }
        self.init(unchecked: ids, bound: vocabularySize)
    }

    /// Checks ids given as `Int`, as JSON carries them.
    package init(_ ids: [Int], vocabularySize: Int) throws(TokenOutOfRange) {
        if let position = ids.firstIndex(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw TokenOutOfRange(id: ids[position], position: position, vocabularySize: vocabularySize)
        }
        self.init(unchecked: ids.map { Int32(truncatingIfNeeded: $0) }, bound: vocabularySize)
    }

    /// For callers that have proven every id is below `bound` (a vocabulary's `encode`).
    init(unchecked ids: [Int32], bound: Int) {
        self.ids = ids
        self.bound = bound
    }

    /// Number of ids, start id included.
    package var count: Int { ids.count }
}

/// A token id outside the model's embedding table.
package struct TokenOutOfRange: Error, Hashable, Sendable, CustomStringConvertible {
    package init(id: Int, position: Int, vocabularySize: Int) {
        self.id = id
        self.position = position
        self.vocabularySize = vocabularySize
    }

    /// The id, its index in the sequence, and the table's rows (ids must be in `0..<vocabularySize`).
    package let id: Int
    package let position: Int
    package let vocabularySize: Int

    package var description: String { "token id \(id) at position \(position) is outside 0..<\(vocabularySize)" }
}

extension Vocabulary {
    /// The ids of a review as a ``TokenSequence``: a vocabulary's ids are below its ``count``.
    package func sequence(for text: String) -> TokenSequence {
        TokenSequence(unchecked: encode(text), bound: count)
    }
}
