package import KerasFiles

extension LSTMClassifier {
    /// Builds a classifier from a Keras checkpoint, refusing any architecture outside
    /// `[InputLayer] → Embedding → LSTM → Dense(1, sigmoid)` (`Dropout` layers, inert at
    /// inference, may stand between them).
    /// - Parameter defaultMaxLength: the input length when the file records none (`--max-length`).
    package convenience init(checkpoint: KerasCheckpoint, defaultMaxLength: Int = 500) throws(ModelError) {
        let (architecture, weights) = try CheckpointInterpreter(checkpoint: checkpoint, defaultMaxLength: defaultMaxLength).interpret()
        self.init(architecture: architecture, weights: weights)
    }
}

/// Reads the supported architecture out of a checkpoint's layer records.
struct CheckpointInterpreter {
    let checkpoint: KerasCheckpoint
    let defaultMaxLength: Int

    /// Keras 1 and 2 define `hard_sigmoid` with slope 0.2; Keras 3 with slope 1/6.
    var usesLegacySemantics: Bool {
        guard let version = checkpoint.kerasVersion else { return checkpoint.format == .legacyHDF5 }
        return version.hasPrefix("1.") || version.hasPrefix("2.")
    }

    func interpret() throws(ModelError) -> (ModelArchitecture, LSTMWeights) {
        // A Functional model's layer list does not say how layers connect, so only Sequential is trusted.
        guard checkpoint.modelClassName == "Sequential" else {
            throw .unsupportedArchitecture("model class '\(checkpoint.modelClassName)'; only Sequential models are supported")
        }
        var recordedLength: Int?
        var computing: [LayerRecord] = []
        for layer in checkpoint.layers {
            recordedLength = recordedLength ?? Self.inputLength(in: layer)
            switch layer.className {
            case "InputLayer", "Dropout", "SpatialDropout1D":
                continue
            default:
                computing.append(layer)
            }
        }
        if recordedLength == nil, let shape = checkpoint.inputBatchShape, shape.count == 2 { recordedLength = shape[1] }
        let names = computing.map { "\($0.className) '\($0.name)'" }
        guard computing.count == 3, computing[0].className == "Embedding", computing[1].className == "LSTM", computing[2].className == "Dense" else {
            throw .unsupportedArchitecture(
                "layers [\(names.joined(separator: ", "))]; supported: Embedding → LSTM → Dense(1, sigmoid)")
        }
        let (embedding, lstm, dense) = (computing[0], computing[1], computing[2])

        // Embedding(V, E) without masking.
        let vocabularySize = try Self.positiveInt(embedding, "input_dim")
        let width = try Self.positiveInt(embedding, "output_dim")
        try Self.require(embedding, "mask_zero", equals: false)

        // LSTM(U) returning its last state, forwards, stateless.
        let units = try Self.positiveInt(lstm, "units")
        for flag in ["return_sequences", "return_state", "go_backwards", "stateful", "time_major"] {
            try Self.require(lstm, flag, equals: false)
        }
        let lstmBias = lstm.config["use_bias"]?.bool ?? true
        let activation = try activationFunction(of: lstm, key: "activation", default: "tanh")
        let recurrentActivation = try activationFunction(of: lstm, key: "recurrent_activation", default: "sigmoid")

        // Dense(1, sigmoid).
        let denseUnits = try Self.positiveInt(dense, "units")
        guard denseUnits == 1 else { throw .unsupportedSetting(layer: dense.name, setting: "units", value: "\(denseUnits) (expected 1)") }
        let denseActivation = dense.config["activation"]?.string ?? "linear"
        guard denseActivation == "sigmoid" else {
            throw .unsupportedSetting(layer: dense.name, setting: "activation", value: "\(denseActivation) (expected sigmoid)")
        }
        let denseBias = dense.config["use_bias"]?.bool ?? true

        let maxLength = recordedLength ?? defaultMaxLength
        guard maxLength > 0 else { throw .invalidMaxLength(maxLength) }
        guard maxLength <= 1_000_000 else { throw .unsupportedSetting(layer: "input", setting: "length", value: "\(maxLength)") }

        let gates = 4 * units
        let embeddings = try Self.tensor(embedding, 0, "embeddings", [vocabularySize, width])
        let kernel = try Self.tensor(lstm, 0, "kernel", [width, gates])
        let recurrent = try Self.tensor(lstm, 1, "recurrent_kernel", [units, gates])
        let bias = lstmBias ? try Self.tensor(lstm, 2, "bias", [gates]) : []
        try Self.requireCount(lstm, lstmBias ? 3 : 2)
        let denseKernel = try Self.tensor(dense, 0, "kernel", [units, 1])
        let denseBiasValues = denseBias ? try Self.tensor(dense, 1, "bias", [1]) : []
        try Self.requireCount(dense, denseBias ? 2 : 1)
        try Self.requireCount(embedding, 1)

        let architecture = ModelArchitecture(
            vocabularySize: vocabularySize, embeddingWidth: width, units: units,
            activation: activation, recurrentActivation: recurrentActivation,
            lstmUsesBias: lstmBias, denseUsesBias: denseBias,
            maxLength: maxLength, maxLengthSource: recordedLength == nil ? .option : .checkpoint,
            layerNames: [embedding.name, lstm.name, dense.name])
        let weights = LSTMWeights(
            embeddings: embeddings, kernel: kernel, recurrentKernel: recurrent, bias: bias,
            denseKernel: denseKernel, denseBias: denseBiasValues)
        return (architecture, weights)
    }

    private func activationFunction(of layer: LayerRecord, key: String, default fallback: String) throws(ModelError) -> Activation {
        let name = layer.config[key]?.string ?? fallback
        guard let activation = Activation(kerasName: name, legacySemantics: usesLegacySemantics) else {
            throw .unsupportedActivation(layer: layer.name, name: name)
        }
        return activation
    }

    /// The sequence length a layer records: `batch_shape`/`batch_input_shape` `[null, L]` or Keras 2's `input_length`.
    private static func inputLength(in layer: LayerRecord) -> Int? {
        for key in ["batch_shape", "batch_input_shape"] {
            if let shape = layer.config[key]?.array, shape.count == 2, let length = shape[1].int {
                return length
            }
        }
        return layer.config["input_length"]?.int
    }

    private static func positiveInt(_ layer: LayerRecord, _ key: String) throws(ModelError) -> Int {
        guard let value = layer.config[key]?.int, value > 0, value <= 100_000_000 else {
            throw .unsupportedSetting(layer: layer.name, setting: key, value: layer.config[key].map { "\($0)" } ?? "missing")
        }
        return value
    }

    private static func require(_ layer: LayerRecord, _ key: String, equals expected: Bool) throws(ModelError) {
        if let value = layer.config[key]?.bool, value != expected {
            throw .unsupportedSetting(layer: layer.name, setting: key, value: "\(value)")
        }
    }

    private static func requireCount(_ layer: LayerRecord, _ count: Int) throws(ModelError) {
        guard layer.weights.count == count else {
            throw .unsupportedArchitecture("layer '\(layer.name)' has \(layer.weights.count) weight tensors, expected \(count)")
        }
    }

    private static func tensor(_ layer: LayerRecord, _ index: Int, _ name: String, _ shape: [Int]) throws(ModelError) -> [Float] {
        guard index < layer.weights.count else {
            throw .weightShape(layer: layer.name, weight: name, expected: shape, found: [])
        }
        let tensor = layer.weights[index]
        guard tensor.shape == shape, tensor.values.count == shape.reduce(1, *) else {
            throw .weightShape(layer: layer.name, weight: name, expected: shape, found: tensor.shape)
        }
        // A NaN or infinite weight makes scores meaningless: in the LSTM the kernel's clamps turn
        // it into silently wrong finite numbers, in the dense layer into NaN ("score": null).
        if let position = tensor.values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteWeight(layer: layer.name, weight: name, index: position)
        }
        return tensor.values
    }
}
