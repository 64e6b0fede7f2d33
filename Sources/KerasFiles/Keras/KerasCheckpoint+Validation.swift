extension KerasCheckpoint {
    /// Checks weight counts and shapes of the layer types whose layout is known (Embedding, LSTM, GRU,
    /// SimpleRNN, Dense) against their configs and, where known, the previous layer's feature size.
    static func validate(_ layers: [LayerRecord]) throws(CheckpointError) {
        var features: Int?  // last-axis size flowing out of the previous layer, when known
        for layer in layers {
            let config = layer.config
            let units = config["units"]?.int
            let useBias = config["use_bias"]?.bool ?? true
            var expected: [(name: String, shape: [Int?])]?
            switch layer.className {
            case "InputLayer":
                features = nil
            case "Embedding":
                let output = config["output_dim"]?.int
                expected = [("embeddings", [config["input_dim"]?.int, output])]
                features = output
            case "LSTM", "GRU", "SimpleRNN":
                let gates = ["LSTM": 4, "GRU": 3, "SimpleRNN": 1][layer.className] ?? 1
                let width = units.map { $0 * gates }
                expected = [("kernel", [features, width]), ("recurrent_kernel", [units, width])]
                if useBias {
                    let resetAfter = layer.className == "GRU" && (config["reset_after"]?.bool ?? true)
                    expected?.append(("bias", resetAfter ? [2, width] : [width]))
                }
                features = units
            case "Dense":
                expected = [("kernel", [features, units])]
                if useBias { expected?.append(("bias", [units])) }
                features = units
            case "Dropout", "SpatialDropout1D", "Activation", "GaussianNoise":
                break
            default:
                features = nil
            }
            guard let expected else { continue }
            guard !layer.weights.isEmpty else { throw .missingWeights(layer: layer.name) }
            guard layer.weights.count == expected.count else {
                throw .shapeMismatch(
                    layer: layer.name, weight: "\(layer.weights.count) weights, expected \(expected.count) (\(expected.map(\.name)))",
                    expected: [expected.count], actual: [layer.weights.count])
            }
            for (tensor, want) in zip(layer.weights, expected) {
                let matches = tensor.shape.count == want.shape.count && zip(tensor.shape, want.shape).allSatisfy { $1 == nil || $0 == $1 }
                guard matches else {
                    throw .shapeMismatch(layer: layer.name, weight: want.name, expected: want.shape.map { $0 ?? -1 }, actual: tensor.shape)
                }
            }
        }
    }
}
