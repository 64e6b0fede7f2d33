/// One layer of the model: its class, name, config and weights in Keras order.
public struct LayerRecord: Sendable {
    /// "InputLayer", "Embedding", "LSTM", "Dense", "GRU", "Bidirectional", ...
    public let className: String
    /// The layer's name from the config.
    public let name: String
    /// The layer's "config" object, as written.
    public let config: JSONValue
    /// The layer's variables in Keras order (Embedding: [embeddings]; LSTM: [kernel, recurrent_kernel, bias];
    /// Dense: [kernel, bias]); [] for layers without weights.
    public let weights: [Tensor]

    public init(className: String, name: String, config: JSONValue, weights: [Tensor]) {
        self.className = className
        self.name = name
        self.config = config
        self.weights = weights
    }
}
