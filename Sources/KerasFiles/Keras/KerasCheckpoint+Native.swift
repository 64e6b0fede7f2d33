extension KerasCheckpoint {
    /// Keras 3 `.keras` archive: config.json (model config), metadata.json (keras_version) and
    /// model.weights.h5, whose layout is `layers/<snake_case class>[_<n>]/vars/<i>` plus nested objects such
    /// as `layers/lstm/cell/vars/<i>` (keras.src.saving.saving_lib).
    static func loadNative(_ bytes: [UInt8], limits: CheckpointLimits) throws(CheckpointError) -> KerasCheckpoint {
        let archive = try ZipArchive(bytes: bytes, limits: limits)
        let configBytes = try archive.data(for: "config.json")
        guard configBytes.count <= limits.maxJSONBytes else {
            throw .tooLarge(what: "config.json", size: UInt64(configBytes.count), limit: UInt64(limits.maxJSONBytes))
        }
        let model = try ModelConfig(try JSONValue.parse(configBytes, maxDepth: limits.maxDepth))
        var kerasVersion: String?
        if archive.entry(named: "metadata.json") != nil {
            let metadata = try archive.data(for: "metadata.json")
            kerasVersion = try JSONValue.parse(metadata, maxDepth: limits.maxDepth)["keras_version"]?.string
        }
        let file = try HDF5File(bytes: try archive.data(for: "model.weights.h5"), limits: limits)

        var used: [String: Int] = [:]
        var weights: [[Tensor]] = []
        for layer in model.layers {
            var groupName = ModelConfig.snakeCase(layer.className)
            if let count = used[groupName] {
                used[groupName] = count + 1
                groupName += "_\(count + 1)"
            } else {
                used[groupName] = 0
            }
            var path = "layers/" + groupName
            if !file.exists(path), let named = try findGroup(namedAfter: layer.name, in: file) { path = named }
            weights.append(file.exists(path) ? try variables(under: path, in: file, depth: 0, ancestors: []) : [])
        }
        return try KerasCheckpoint(format: .keras, model: model, kerasVersion: kerasVersion, weights: weights)
    }

    /// Fallback match: the `layers/*` group whose `vars` group carries a `name` attribute equal to the layer name.
    private static func findGroup(namedAfter name: String, in file: HDF5File) throws(CheckpointError) -> String? {
        guard file.exists("layers") else { return nil }
        for child in try file.childNames(of: "layers") where file.exists("layers/\(child)/vars") {
            if try file.attributeIfPresent("name", of: "layers/\(child)/vars")?.string == name { return "layers/\(child)" }
        }
        return nil
    }

    /// The variables saved for one layer object, in Keras order: the object's own `vars/0, vars/1, ...`, then
    /// those of nested objects (a Bidirectional's forward layer before its backward layer, others by name).
    private static func variables(
        under path: String, in file: HDF5File, depth: Int, ancestors: Set<String>
    ) throws(CheckpointError) -> [Tensor] {
        guard depth <= file.limits.maxDepth else { throw .tooDeep("weights nested below '\(path)'") }
        guard try file.kind(of: path) == .group else { return [] }
        let links = try file.links(of: path)
        var tensors: [Tensor] = []
        if links.contains(where: { $0.name == "vars" }), try file.kind(of: path + "/vars") == .group {
            let names = try file.childNames(of: path + "/vars")
            let ordered = names.compactMap { name in Int(name).map { (name, $0) } }.sorted { $0.1 < $1.1 }
            guard ordered.count == names.count, ordered.enumerated().allSatisfy({ $0.offset == $0.element.1 }) else {
                throw .hdf5Corrupt("'\(path)/vars' members are not numbered 0, 1, 2, ...: \(names)")
            }
            for (name, _) in ordered { tensors.append(try file.readTensor("\(path)/vars/\(name)")) }
        }
        var children = links.filter { $0.name != "vars" }.map(\.name)
        if let forward = children.firstIndex(of: "forward_layer"), let backward = children.firstIndex(of: "backward_layer"), backward < forward {
            children.swapAt(forward, backward)
        }
        for child in children {
            guard case .hard(let address)? = links.first(where: { $0.name == child })?.link else { continue }
            let key = String(address)
            guard !ancestors.contains(key) else { throw .cyclicLinks("\(path)/\(child)") }
            tensors += try variables(under: "\(path)/\(child)", in: file, depth: depth + 1, ancestors: ancestors.union([key]))
        }
        return tensors
    }
}
