/// The dimensions and settings of a classifier in the supported family:
/// `Embedding(V, E) → LSTM(U) → Dense(1, sigmoid)`, read from a checkpoint, never assumed.
package struct ModelArchitecture: Sendable, Equatable {
    /// Where the maximum input length came from.
    package enum LengthSource: String, Sendable {
        /// The checkpoint records the input shape.
        case checkpoint
        /// The file records none; the caller's `--max-length` (default 500) applies.
        case option
    }

    /// Rows of the embedding table: ids run over `0..<vocabularySize`.
    package var vocabularySize: Int
    /// Width of an embedding vector, the LSTM's input width.
    package var embeddingWidth: Int
    /// LSTM units: the width of the hidden and cell states.
    package var units: Int
    /// Activation of the candidate `c̃` and of the cell state in `h = o ⊙ act(C)`.
    package var activation: Activation
    /// Activation of the input, forget and output gates.
    package var recurrentActivation: Activation
    /// Whether the LSTM adds a bias to its gates.
    package var lstmUsesBias: Bool
    /// Whether the output layer adds a bias.
    package var denseUsesBias: Bool
    /// Reviews are padded or truncated (Keras `pre` both) to this many ids.
    package var maxLength: Int
    /// Whether ``maxLength`` was read from the checkpoint or supplied.
    package var maxLengthSource: LengthSource
    /// Layer names, in order, as the checkpoint gives them (`embedding`, `lstm`, `dense`).
    package var layerNames: [String]

    /// Trainable parameters, counted as Keras counts them (328,353 for the bundled model).
    package var parameterCount: Int {
        let embedding = vocabularySize * embeddingWidth
        let lstm = 4 * units * (embeddingWidth + units + (lstmUsesBias ? 1 : 0))
        let dense = units + (denseUsesBias ? 1 : 0)
        return embedding + lstm + dense
    }
}
