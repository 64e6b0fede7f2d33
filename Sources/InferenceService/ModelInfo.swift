import Foundation
import SentimentModel

/// What `GET /v1/models` says of the served model.
struct ModelInfo {
    let model: ModelBundle

    init(_ model: ModelBundle) {
        self.model = model
    }

    func write(to writer: inout JSONWriter) {
        let architecture = model.classifier.architecture
        writer.field("name", model.name)
        writer.field("sha256", model.sha256)
        writer.field("format", model.formatName)
        if let version = model.kerasVersion { writer.field("keras_version", version) }
        writer.field("parameters", architecture.parameterCount)
        writer.field("vocabulary_size", architecture.vocabularySize)
        writer.field("embedding_width", architecture.embeddingWidth)
        writer.field("units", architecture.units)
        writer.field("max_length", architecture.maxLength)
        writer.field("padding", "pre")
        writer.field("truncating", "pre")
        writer.field("activation", "\(architecture.activation)")
        writer.field("recurrent_activation", "\(architecture.recurrentActivation)")
        writer.key("labels")
        writer.array { writer in for label in ModelBundle.labels { writer.value(label) } }
        writer.field("source", model.checkpointURL.path)
        writer.field("accepts_text", model.vocabulary != nil)
        writer.field("kernel", model.classifier.kernel)
        if let vocabulary = model.vocabularyURL { writer.field("vocabulary", vocabulary.path) }
    }
}
