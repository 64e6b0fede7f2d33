/// How many of a text's words the vocabulary knows.
package struct WordCounts: Sendable, Equatable {
    /// Words with an id of their own.
    package let recognized: Int
    /// Words read as the out-of-vocabulary id.
    package let unrecognized: Int

    package init(recognized: Int, unrecognized: Int) {
        self.recognized = recognized
        self.unrecognized = unrecognized
    }

    /// The counts of a text's ids as ``Vocabulary/encode(_:)`` gives them: the start id, then one
    /// id per word. Counts every word, including any that truncation will cut.
    package init(encodedText ids: [Int32]) {
        let words = ids.dropFirst()
        let unrecognized = words.reduce(0) { $0 + ($1 == Vocabulary.outOfVocabularyID ? 1 : 0) }
        self.init(recognized: words.count - unrecognized, unrecognized: unrecognized)
    }
}

/// How a review's score came about, word by word.
///
/// For each word the model read, the score of the review up to and including that word (what the
/// model answers for those words alone) and the change from the score before it. The changes add
/// up to ``score`` − ``baseline``.
package struct Explanation: Sendable, Equatable {
    /// One word read, where it is in the text, and what it did to the score.
    package struct Word: Sendable, Equatable {
        /// The word as the text spells it.
        package let text: String
        /// Where it is in the text, in Unicode scalars (code points), end exclusive: Python `str`
        /// indices, or JavaScript `Array.from(text)` indices.
        package let start: Int
        package let end: Int
        /// Whether the vocabulary knows it (else it was read as the out-of-vocabulary id).
        package let recognized: Bool
        /// The score of the text up to and including this word.
        package let score: Float
        /// `score` minus the score before this word.
        package let change: Float
    }

    /// The score before the first word read: after the start id alone; or, for a text so long
    /// that its start id was cut (only its last `maxLength` ids are read), of an empty input.
    package let baseline: Float
    /// The words read, in order: all of them, or the last ones of a text longer than the model reads.
    package let words: [Word]
    /// The whole text's score: the last word's, or the baseline if no word was read.
    package var score: Float { words.last?.score ?? baseline }
}

extension ModelBundle {
    /// The explanation of a text's score, or nil if the model has no vocabulary.
    ///
    /// Its ids and score are those of ``Vocabulary/encode(_:)`` and `LSTMClassifier.predict(_:)`.
    /// Costs one pass over the text (and, past about `maxLength − 50` ids, a batch of its longest
    /// prefixes: see `LSTMClassifier.prefixScores(_:)`), plus a slower tokenizer that keeps offsets.
    package func explain(_ text: String) -> Explanation? {
        guard let vocabulary else { return nil }
        let spans = Tokenizer.spans(in: text)
        let ids = [Vocabulary.startID] + spans.map { vocabulary.id(of: $0.token) }
        let prefixes = classifier.prefixScores(TokenSequence(unchecked: ids, bound: vocabulary.count))
        // The ids read are ids[dropped...]: the start id (ids[0]) and every word, unless some were cut.
        let baseline = prefixes.dropped == 0 ? prefixes.scores[0] : prefixes.empty
        let wordScores = prefixes.scores.dropFirst(prefixes.dropped == 0 ? 1 : 0)
        let firstWord = max(prefixes.dropped - 1, 0)
        var previous = baseline
        var words: [Explanation.Word] = []
        words.reserveCapacity(wordScores.count)
        for (span, (id, score)) in zip(spans[firstWord...], zip(ids[(firstWord + 1)...], wordScores)) {
            words.append(
                Explanation.Word(
                    text: String(text.unicodeScalars[span.range]), start: span.start, end: span.end,
                    recognized: id != Vocabulary.outOfVocabularyID, score: score, change: score - previous))
            previous = score
        }
        return Explanation(baseline: baseline, words: words)
    }
}
