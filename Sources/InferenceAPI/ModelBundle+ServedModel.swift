import FoundationEssentials
package import SentimentModel

/// The Keras LSTM served as it is loaded from disk.
extension ModelBundle: ServedModel {
    package var vocabularySize: Int { classifier.architecture.vocabularySize }

    package var maxLength: Int { classifier.architecture.maxLength }

    package var details: ModelDetails {
        let architecture = classifier.architecture
        return ModelDetails(
            format: formatName, kerasVersion: kerasVersion, parameters: architecture.parameterCount,
            embeddingWidth: architecture.embeddingWidth, units: architecture.units, activation: "\(architecture.activation)",
            recurrentActivation: "\(architecture.recurrentActivation)", labels: Self.labels, source: checkpointURL.lastPathComponent,
            vocabulary: vocabularyURL?.lastPathComponent, kernel: classifier.kernel)
    }

    package var acceptsText: Bool { vocabulary != nil }

    package func label(for score: Float) -> String {
        Self.label(for: score)
    }

    package func encode(_ text: String) -> TokenSequence? {
        vocabulary?.sequence(for: text)
    }

    package func predict(_ batch: [TokenSequence]) -> [Float] {
        classifier.predict(batch)
    }

    // explain(_:) is ModelBundle's own (SentimentModel).
}
