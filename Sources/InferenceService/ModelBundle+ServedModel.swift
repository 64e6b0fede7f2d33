import Foundation
public import SentimentModel

/// The Keras LSTM served as it is loaded from disk.
extension ModelBundle: ServedModel {
    public var vocabularySize: Int { classifier.architecture.vocabularySize }

    public var maxLength: Int { classifier.architecture.maxLength }

    public var details: ModelDetails {
        let architecture = classifier.architecture
        return ModelDetails(
            format: formatName, kerasVersion: kerasVersion, parameters: architecture.parameterCount,
            embeddingWidth: architecture.embeddingWidth, units: architecture.units, activation: "\(architecture.activation)",
            recurrentActivation: "\(architecture.recurrentActivation)", labels: Self.labels, source: checkpointURL.path,
            vocabulary: vocabularyURL?.path, kernel: classifier.kernel)
    }

    public var acceptsText: Bool { vocabulary != nil }

    public func encode(_ text: String) -> TokenSequence? {
        vocabulary?.sequence(for: text)
    }

    public func predict(_ batch: [TokenSequence]) -> [Float] {
        classifier.predict(batch)
    }
}
