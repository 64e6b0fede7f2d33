package import FoundationEssentials

/// The two on-disk formats Keras saves whole models in.
package enum CheckpointFormat: String, Sendable {
    /// Keras 3 native `.keras` zip: config.json, metadata.json, model.weights.h5.
    case keras
    /// `model.save("m.h5")`: one HDF5 file with a `model_config` attribute and a `model_weights` group.
    case legacyHDF5
}

/// A Keras model checkpoint read natively (no libhdf5): architecture config plus every layer's weights.
/// Format-only: it does not judge whether an architecture can be served.
package struct KerasCheckpoint: Sendable {
    package let format: CheckpointFormat
    /// "Sequential" or "Functional".
    package let modelClassName: String
    /// Layers in model order, including the InputLayer record when the config lists one.
    package let layers: [LayerRecord]
    /// e.g. `[nil, 500]` when the file records an input shape, else nil.
    package let inputBatchShape: [Int?]?
    /// From metadata.json (`.keras`) or the `keras_version` root attribute (legacy HDF5).
    package let kerasVersion: String?

    /// Reads the checkpoint at `url` (a `.keras` zip or a legacy `.h5` file).
    package static func load(contentsOf url: URL, limits: CheckpointLimits = .init()) throws(CheckpointError) -> KerasCheckpoint {
        try load(bytes: readFile(url, limits: limits), limits: limits)
    }

    /// The bytes of a checkpoint file, refused before reading when it is larger than `limits.maxFileBytes`.
    package static func readFile(_ url: URL, limits: CheckpointLimits = .init()) throws(CheckpointError) -> [UInt8] {
        do {
            return try FileContents.read(url.path, maxBytes: limits.maxFileBytes)
        } catch {
            switch error {
            case .tooLarge(let size):
                throw .tooLarge(what: "checkpoint file \(url.lastPathComponent)", size: UInt64(size), limit: UInt64(limits.maxFileBytes))
            case .unreadable(let reason):
                throw .io("\(url.path): \(reason)")
            }
        }
    }

    /// Reads a checkpoint from memory, detecting the format from its signature: zip ("PK\u{3}\u{4}") or HDF5.
    package static func load(bytes: [UInt8], limits: CheckpointLimits = .init()) throws(CheckpointError) -> KerasCheckpoint {
        guard bytes.count <= limits.maxFileBytes else {
            throw .tooLarge(what: "checkpoint", size: UInt64(bytes.count), limit: UInt64(limits.maxFileBytes))
        }
        if ZipArchive.hasSignature(bytes) { return try loadNative(bytes, limits: limits) }
        if HDF5File.hasSignature(bytes) { return try loadLegacy(bytes, limits: limits) }
        throw .notAKerasFile("neither a zip archive nor an HDF5 file")
    }

    /// Assembles a checkpoint from parts already in memory (tools and tests); validates the weights against the configs.
    package init(format: CheckpointFormat, modelClassName: String, layers: [LayerRecord], inputBatchShape: [Int?]?, kerasVersion: String?)
        throws(CheckpointError)
    {
        try Self.validate(layers)
        self.format = format
        self.modelClassName = modelClassName
        self.layers = layers
        self.inputBatchShape = inputBatchShape
        self.kerasVersion = kerasVersion
    }

    init(format: CheckpointFormat, model: ModelConfig, kerasVersion: String?, weights: [[Tensor]]) throws(CheckpointError) {
        let layers = zip(model.layers, weights).map { layer, tensors in
            LayerRecord(className: layer.className, name: layer.name, config: layer.config, weights: tensors)
        }
        try Self.validate(layers)
        self.format = format
        self.modelClassName = model.className
        self.layers = layers
        self.inputBatchShape = model.inputBatchShape
        self.kerasVersion = kerasVersion
    }
}
