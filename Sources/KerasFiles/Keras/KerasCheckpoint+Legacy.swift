extension KerasCheckpoint {
    /// Legacy single-file HDF5 (`model.save("m.h5")`, keras.src.legacy.saving.legacy_h5_format): root
    /// attributes `model_config` (JSON), `keras_version`, `backend`; group `model_weights` with attribute
    /// `layer_names`, and per layer a group whose `weight_names` attribute lists dataset paths in order.
    /// Reads both Keras 3 (variable-length strings) and Keras 2 (fixed-length byte strings, `name:0`) styles.
    static func loadLegacy(_ bytes: [UInt8], limits: CheckpointLimits) throws(CheckpointError) -> KerasCheckpoint {
        let file = try HDF5File(bytes: bytes, limits: limits)
        guard let configText = try file.attributeIfPresent("model_config", of: "/")?.string else {
            throw .notAKerasFile("HDF5 file has no model_config attribute (a weights-only file?)")
        }
        let configBytes = Array(configText.utf8)
        guard configBytes.count <= limits.maxJSONBytes else {
            throw .tooLarge(what: "model_config", size: UInt64(configBytes.count), limit: UInt64(limits.maxJSONBytes))
        }
        let model = try ModelConfig(try JSONValue.parse(configBytes, maxDepth: limits.maxDepth))
        var kerasVersion = try file.attributeIfPresent("keras_version", of: "/")?.string
        guard file.exists("model_weights") else { throw .notAKerasFile("HDF5 file has no model_weights group") }
        if kerasVersion == nil { kerasVersion = try file.attributeIfPresent("keras_version", of: "model_weights")?.string }

        let layerNames = Set(try stringList("layer_names", of: "model_weights", in: file))
        var weights: [[Tensor]] = []
        for layer in model.layers {
            guard layerNames.contains(layer.name) else {
                weights.append([])
                continue
            }
            let group = "model_weights/\(layer.name)"
            var tensors: [Tensor] = []
            for weightName in try stringList("weight_names", of: group, in: file) {
                do {
                    tensors.append(try file.readTensor("\(group)/\(weightName)"))
                } catch .hdf5NotFound {
                    throw .missingWeights(layer: "\(layer.name) ('\(weightName)' not found)")
                }
            }
            weights.append(tensors)
        }
        return try KerasCheckpoint(format: .legacyHDF5, model: model, kerasVersion: kerasVersion, weights: weights)
    }

    /// A list-of-names attribute. Keras splits lists too big for one attribute into `name0`, `name1`, ...;
    /// an empty list may be stored as an empty float array.
    private static func stringList(_ name: String, of path: String, in file: HDF5File) throws(CheckpointError) -> [String] {
        if let attribute = try file.attributeIfPresent(name, of: path) {
            if let strings = attribute.strings { return strings }
            if attribute.shape.reduce(1, *) == 0 { return [] }
            throw .notAKerasFile("attribute '\(name)' of '\(path)' is not a list of strings")
        }
        var result: [String] = []
        var chunk = 0
        while let attribute = try file.attributeIfPresent("\(name)\(chunk)", of: path) {
            guard let strings = attribute.strings else { throw .notAKerasFile("attribute '\(name)\(chunk)' of '\(path)' is not strings") }
            result += strings
            chunk += 1
        }
        guard chunk > 0 else { throw .notAKerasFile("'\(path)' has no '\(name)' attribute") }
        return result
    }
}
