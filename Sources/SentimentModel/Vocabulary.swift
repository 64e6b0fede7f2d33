package import Foundation

/// The word-to-id table of a model, in `keras.datasets.imdb` conventions.
///
/// Ids 0–3 are reserved: 0 padding, 1 start of review, 2 out of vocabulary, 3 unused. The file
/// holds one entry a line, UTF-8, line *k* being the word of id *k* (lines 0–3 hold the
/// reserved names). Immutable after loading, so it is shared freely across threads.
package struct Vocabulary: Sendable {
    /// Id of the padding token Keras puts in front of short reviews.
    package static let paddingID: Int32 = 0
    /// Id that starts every review.
    package static let startID: Int32 = 1
    /// Id of every word outside the vocabulary.
    package static let outOfVocabularyID: Int32 = 2
    /// Number of reserved ids before the first word.
    package static let reservedCount = 4

    /// Most entries a vocabulary may have (10,000,000); a larger file is refused.
    package static let maxEntries = 10_000_000
    /// Largest vocabulary file read (64 MiB).
    package static let maxFileBytes = 64 << 20

    /// Entry *k* is the word of id *k*.
    package let words: [String]
    private let table: WordTable

    /// Number of ids, reserved ones included (10,000 for the bundled model).
    package var count: Int { words.count }

    /// Builds a vocabulary from its id-ordered entries, reserved names first.
    package init(words: [String]) throws(ModelError) {
        guard words.count > Self.reservedCount else {
            throw .invalidVocabulary("it has \(words.count) entries, fewer than the \(Self.reservedCount + 1) needed")
        }
        guard words.count <= Self.maxEntries else { throw .invalidVocabulary("it has \(words.count) entries, more than \(Self.maxEntries)") }
        for (id, word) in words.enumerated().dropFirst(Self.reservedCount) where word.isEmpty {
            throw .invalidVocabulary("line \(id + 1) is empty")
        }
        // The word table addresses its bytes with 32-bit offsets.
        guard words.reduce(0, { $0 + $1.utf8.count }) <= Int(UInt32.max) else {
            throw .invalidVocabulary("its words take more than \(UInt32.max) bytes")
        }
        var duplicate: Int?
        guard let table = WordTable(words: words, firstID: Self.reservedCount, duplicate: &duplicate) else {
            let id = duplicate ?? 0
            throw .invalidVocabulary("the word '\(words[id])' appears twice (second time on line \(id + 1))")
        }
        self.words = words
        self.table = table
    }

    /// Reads a vocabulary file (one entry a line, UTF-8).
    package init(contentsOf url: URL) throws(ModelError) {
        let bytes: [UInt8]
        do {
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
            guard size <= Self.maxFileBytes else {
                throw ModelError.invalidVocabulary("\(url.path) is \(size) bytes, more than \(Self.maxFileBytes)")
            }
            // Copied out of `Data` at once, as KerasCheckpoint.readFile does: `Data` refers to its storage through an
            // enum whose case sits in the pointer's spare bits, which LeakSanitizer does not take for a pointer, so a
            // `Data` still alive when a SIGTERM during loading exits the process was reported as leaked.
            bytes = [UInt8](try Data(contentsOf: url))
        } catch let error as ModelError {
            throw error
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidVocabulary("\(url.path) is not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        try self.init(words: lines)
    }

    /// The id of one token, or the out-of-vocabulary id.
    package func id(of token: String) -> Int32 {
        var token = token
        return token.withUTF8 { id(ofUTF8: $0) }
    }

    /// The id of one token given as UTF-8 bytes, or the out-of-vocabulary id.
    package func id(ofUTF8 bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        table.id(of: bytes) ?? Self.outOfVocabularyID
    }

    /// How many tokens after asking for a word's table slot ``encode(_:)`` reads it (a power of
    /// two): far enough ahead that the slot has arrived from memory, as if every word of a review
    /// were asked for before any is read, with a fixed ring instead of a review-sized buffer.
    private static let lookAhead = 64

    /// The unpadded ids of a review: the start id, then one id per token.
    package func encode(_ text: String) -> [Int32] {
        // Tokens are at least one byte and separated by at least one, so n bytes hold at most
        // (n + 1) / 2 of them: the ids are written in place, with no append's uniqueness check.
        [Int32](unsafeUninitializedCapacity: text.utf8.count / 2 + 2) { ids, count in
            ids[0] = Self.startID
            count = 1
            // Each word is looked up in two steps: the first asks for the word's table slot, and the
            // second reads it `lookAhead` tokens later (or at the end), from a ring of started
            // lookups. Under load the table is seldom all in cache, and looking each word up at
            // once waits for each miss in turn.
            table.withLookup { lookup in
                withUnsafeTemporaryAllocation(of: WordTable.StartedLookup.self, capacity: Self.lookAhead) { started in
                    Tokenizer.withTokens(in: text) { tokens in
                        // The lookup for the id at position p waits in started[p & ring].
                        let ring = Self.lookAhead - 1
                        @inline(__always) func finish(_ position: Int) {
                            ids[position] = lookup.finish(started[position & ring]) ?? Self.outOfVocabularyID
                        }
                        while let token = tokens.next() {
                            precondition(count < ids.count, "more tokens than the text has room for")
                            if count > Self.lookAhead { finish(count - Self.lookAhead) }
                            started[count & ring] = lookup.start(token)
                            count += 1
                        }
                        for position in max(1, count - Self.lookAhead)..<count { finish(position) }
                    }
                }
            }
        }
    }
}
