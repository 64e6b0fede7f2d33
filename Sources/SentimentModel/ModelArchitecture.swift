/// The dimensions and settings of a classifier in the supported family:
/// `Embedding(V, E) → LSTM(U) → Dense(1, sigmoid)`, read from a checkpoint, never assumed.
public struct ModelArchitecture: Sendable, Equatable {
    /// Where the maximum input length came from.
    public enum LengthSource: String, Sendable {
        /// The checkpoint records the input shape.
        case checkpoint
        /// The file records none; the caller's `--max-length` (default 500) applies.
        case option
    }

    /// Rows of the embedding table: ids run over `0..<vocabularySize`.
    public var vocabularySize: Int
    /// Width of an embedding vector, the LSTM's input width.
    public var embeddingWidth: Int
    /// LSTM units: the width of the hidden and cell states.
    public var units: Int
    /// Activation of the candidate `c̃` and of the cell state in `h = o ⊙ act(C)`.
    public var activation: Activation
    /// Activation of the input, forget and output gates.
    public var recurrentActivation: Activation
    /// Whether the LSTM adds a bias to its gates.
    public var lstmUsesBias: Bool
    /// Whether the output layer adds a bias.
    public var denseUsesBias: Bool
    /// Reviews are padded or truncated (Keras `pre` both) to this many ids.
    public var maxLength: Int
    /// Whether ``maxLength`` was read from the checkpoint or supplied.
    public var maxLengthSource: LengthSource
    /// Layer names, in order, as the checkpoint gives them (`embedding`, `lstm`, `dense`).
    public var layerNames: [String]

    /// Trainable parameters, counted as Keras counts them (328,353 for the bundled model).
    public var parameterCount: Int {
        let embedding = vocabularySize * embeddingWidth
        let lstm = 4 * units * (embeddingWidth + units + (lstmUsesBias ? 1 : 0))
        let dense = units + (denseUsesBias ? 1 : 0)
        return embedding + lstm + dense
    }
}
