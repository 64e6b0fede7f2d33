/// Why a model, vocabulary or input was refused.
package enum ModelError: Error, Equatable, CustomStringConvertible {
    /// The checkpoint's architecture is outside the supported family.
    case unsupportedArchitecture(String)
    /// A layer setting the forward pass cannot honour, e.g. `mask_zero` or `return_sequences`.
    case unsupportedSetting(layer: String, setting: String, value: String)
    /// A weight tensor whose shape disagrees with the layer configuration.
    case weightShape(layer: String, weight: String, expected: [Int], found: [Int])
    /// A weight that is NaN or infinite; `index` is its position in the flattened tensor.
    case nonFiniteWeight(layer: String, weight: String, index: Int)
    /// An activation name the forward pass does not implement.
    case unsupportedActivation(layer: String, name: String)
    /// The vocabulary file is malformed.
    case invalidVocabulary(String)
    /// The vocabulary does not fit the model's embedding table.
    case vocabularyMismatch(vocabulary: Int, embedding: Int)
    /// The checkpoint file is damaged or not a Keras model; `reason` says what is wrong.
    case invalidCheckpoint(path: String, reason: String)
    /// A file could not be read at all.
    case unreadableFile(path: String, reason: String)
    /// A token id outside the embedding table.
    case tokenOutOfRange(TokenOutOfRange)
    /// A maximum length that is not a positive number.
    case invalidMaxLength(Int)

    package var description: String {
        switch self {
        case .unsupportedArchitecture(let detail):
            return "unsupported architecture: \(detail)"
        case .unsupportedSetting(let layer, let setting, let value):
            return "unsupported setting in layer '\(layer)': \(setting) = \(value)"
        case .weightShape(let layer, let weight, let expected, let found):
            return "layer '\(layer)': weight '\(weight)' has shape \(found), expected \(expected)"
        case .nonFiniteWeight(let layer, let weight, let index):
            return "layer '\(layer)': weight '\(weight)' holds a NaN or infinite value (element \(index))"
        case .unsupportedActivation(let layer, let name):
            return "layer '\(layer)': unsupported activation '\(name)'"
        case .invalidVocabulary(let detail):
            return "invalid vocabulary: \(detail)"
        case .vocabularyMismatch(let vocabulary, let embedding):
            return "the vocabulary has \(vocabulary) ids but the model's embedding has \(embedding) rows"
        case .invalidCheckpoint(let path, let reason):
            return "invalid checkpoint \(path): \(reason)"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .tokenOutOfRange(let error):
            return error.description
        case .invalidMaxLength(let length):
            return "maximum length must be positive, got \(length)"
        }
    }
}
