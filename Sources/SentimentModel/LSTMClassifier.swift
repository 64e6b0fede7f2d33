/// A binary sentiment classifier: `Embedding → LSTM → Dense(1, sigmoid)` with Keras semantics.
///
/// Immutable once built and safe to share across threads; each ``predict(_:)`` call uses its own
/// scratch memory. The constructor precomputes what is the same for every review:
/// - the input projection `E[id]·W + b` of every vocabulary id (one table look-up per token);
/// - the LSTM state after *k* `pre`-padding tokens for every *k* up to ``ModelArchitecture/maxLength``,
///   so a review of *n* ids costs *n* recurrent steps, not `maxLength`.
package final class LSTMClassifier: Sendable {
    /// The dimensions and settings read from the checkpoint.
    package let architecture: ModelArchitecture
    let engine: LSTMEngine

    /// Builds a classifier from raw weights in Keras layout (see ``LSTMWeights``).
    package convenience init(architecture: ModelArchitecture, weights: LSTMWeights) {
        self.init(architecture: architecture, weights: weights, stepPath: .fastest)
    }

    /// `stepPath` can hold the step kernel to a slower path, so tests can check that path on any processor.
    init(architecture: ModelArchitecture, weights: LSTMWeights, stepPath: LSTMStepKernel.Path) {
        self.architecture = architecture
        self.engine = LSTMEngine(architecture: architecture, weights: weights, stepPath: stepPath)
    }

    /// Which implementation of the LSTM step runs here: `avx2+fma` or `portable`. Scores from the two
    /// can differ in their last digits; both agree with Keras to within 1e-5.
    package var kernel: String {
        engine.cell.usesAVX2 ? "avx2+fma" : "portable"
    }

    /// Probabilities of the positive class for a batch of unpadded id sequences.
    ///
    /// Each sequence is truncated to its last ``ModelArchitecture/maxLength`` ids and padded in
    /// front, as Keras `pad_sequences(padding="pre", truncating="pre")` does. A sequence's score
    /// does not depend on the other sequences in the batch: batched equals unbatched, bit for bit.
    /// - Precondition: every sequence was checked against at most this model's vocabulary size
    ///   (`bound <= architecture.vocabularySize`): a sequence checked for a larger model is a
    ///   programming error, never a property of the input.
    package func predict(_ batch: [TokenSequence]) -> [Float] {
        engine.run(batch)
    }

    /// Checks raw ids against the embedding table, then predicts.
    /// - Throws: ``ModelError/tokenOutOfRange(_:)`` before any work is done.
    package func predict(_ batch: [[Int32]]) throws(ModelError) -> [Float] {
        var checked: [TokenSequence] = []
        checked.reserveCapacity(batch.count)
        for ids in batch { checked.append(try sequence(ids)) }
        return engine.run(checked)
    }

    /// What the model answers for every prefix of one sequence, each alone (see ``PrefixScores``).
    /// - Precondition: as for `predict(_:)`.
    package func prefixScores(_ sequence: TokenSequence) -> PrefixScores {
        engine.prefixScores(sequence)
    }

    /// `ids` checked against this model's embedding table.
    package func sequence(_ ids: [Int32]) throws(ModelError) -> TokenSequence {
        do {
            return try TokenSequence(ids, vocabularySize: architecture.vocabularySize)
        } catch {
            throw .tokenOutOfRange(error)
        }
    }
}

/// The weights of the classifier, row-major as Keras stores them.
package struct LSTMWeights: Sendable {
    /// `[vocabularySize, embeddingWidth]`.
    package var embeddings: [Float]
    /// `[embeddingWidth, 4·units]`, gate columns ordered `i, f, c, o`.
    package var kernel: [Float]
    /// `[units, 4·units]`, gate columns ordered `i, f, c, o`.
    package var recurrentKernel: [Float]
    /// `[4·units]`, or empty when the LSTM has no bias.
    package var bias: [Float]
    /// `[units, 1]`.
    package var denseKernel: [Float]
    /// `[1]`, or empty when the output layer has no bias.
    package var denseBias: [Float]

    package init(embeddings: [Float], kernel: [Float], recurrentKernel: [Float], bias: [Float], denseKernel: [Float], denseBias: [Float]) {
        self.embeddings = embeddings
        self.kernel = kernel
        self.recurrentKernel = recurrentKernel
        self.bias = bias
        self.denseKernel = denseKernel
        self.denseBias = denseBias
    }
}
