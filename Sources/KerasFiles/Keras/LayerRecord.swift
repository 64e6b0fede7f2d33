/// One layer of the model: its class, name, config and weights in Keras order.
package struct LayerRecord: Sendable {
    /// "InputLayer", "Embedding", "LSTM", "Dense", "GRU", "Bidirectional", ...
    package let className: String
    /// The layer's name from the config.
    package let name: String
    /// The layer's "config" object, as written.
    package let config: JSONValue
    /// The layer's variables in Keras order (Embedding: [embeddings]; LSTM: [kernel, recurrent_kernel, bias];
    /// Dense: [kernel, bias]); [] for layers without weights.
    package let weights: [Tensor]

    package init(className: String, name: String, config: JSONValue, weights: [Tensor]) {
        self.className = className
        self.name = name
        self.config = config
        self.weights = weights
    }
}
