/// The parts of a Keras model config (config.json or `model_config`) this module needs.
struct ModelConfig: Sendable {
    struct Layer: Sendable {
        let className: String
        let name: String
        let config: JSONValue
    }

    /// "Sequential" or "Functional".
    let className: String
    let layers: [Layer]
    let inputBatchShape: [Int?]?

    /// Accepts Keras 3 (`batch_shape`, "Functional") and Keras 2 (`batch_input_shape`, "Model", a bare layer
    /// list as `config`) spellings.
    init(_ json: JSONValue) throws(CheckpointError) {
        guard let className = json["class_name"]?.string else { throw .invalidConfig("model config has no class_name") }
        switch className {
        case "Sequential": self.className = "Sequential"
        case "Functional", "Model": self.className = "Functional"
        default: throw .unsupported("model class '\(className)' (only Sequential and Functional models)")
        }
        let layerList = json["config"]?["layers"]?.array ?? json["config"]?.array
        guard let layerList else { throw .invalidConfig("model config has no layer list") }
        var layers: [Layer] = []
        for (position, entry) in layerList.enumerated() {
            guard let layerClass = entry["class_name"]?.string, let config = entry["config"], config.object != nil else {
                throw .invalidConfig("layer \(position) has no class_name or config")
            }
            guard let name = config["name"]?.string ?? entry["name"]?.string else {
                throw .invalidConfig("layer \(position) (\(layerClass)) has no name")
            }
            layers.append(Layer(className: layerClass, name: name, config: config))
        }
        guard Set(layers.map(\.name)).count == layers.count else { throw .invalidConfig("duplicate layer names") }
        self.layers = layers

        var shape: JSONValue?
        if let input = layers.first(where: { $0.className == "InputLayer" }) {
            shape = input.config["batch_shape"] ?? input.config["batch_input_shape"]
        } else if let first = layers.first {
            shape = first.config["batch_input_shape"] ?? first.config["batch_shape"]
        }
        shape = shape ?? json["config"]?["build_input_shape"]
        inputBatchShape = try shape.map { (value: JSONValue) throws(CheckpointError) -> [Int?] in
            guard let dimensions = value.array else { throw .invalidConfig("input shape is not a list") }
            return try dimensions.map { (dimension: JSONValue) throws(CheckpointError) -> Int? in
                if dimension.isNull { return nil }
                guard let size = dimension.int, size >= 0 else { throw .invalidConfig("input shape entry \(dimension) is not a size") }
                return size
            }
        }
    }

    /// Keras' `to_snake_case` of a class name, as used for weight paths in `.keras` files ("LSTM" → "lstm",
    /// "SimpleRNN" → "simple_rnn", "InputLayer" → "input_layer").
    static func snakeCase(_ name: String) -> String {
        let characters = Array(name.filter { $0.isLetter || $0.isNumber || $0 == "_" })
        var result = ""
        for (index, character) in characters.enumerated() {
            if index > 0, character.isUppercase {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                // (.)([A-Z][a-z]+) → \1_\2, then ([a-z])([A-Z]) → \1_\2
                if previous.isLowercase || (next?.isLowercase ?? false) {
                    result.append("_")
                }
            }
            result.append(character)
        }
        return result.lowercased()
    }
}
