/// What `GET /v1/models` says of a served model.
struct ModelInfo {
    let loaded: LoadedModel

    init(_ loaded: LoadedModel) {
        self.loaded = loaded
    }

    func write(to writer: inout JSONWriter) {
        let model = loaded.model
        let details = model.details
        writer.field("name", model.name)
        writer.field("sha256", model.sha256)
        writer.field("version", loaded.version)
        writer.field("loaded_at", Timestamp.rfc3339(loaded.loadedAt))
        writer.field("format", details.format)
        if let version = details.kerasVersion { writer.field("keras_version", version) }
        writer.field("parameters", details.parameters)
        writer.field("vocabulary_size", model.vocabularySize)
        writer.field("embedding_width", details.embeddingWidth)
        writer.field("units", details.units)
        writer.field("max_length", model.maxLength)
        writer.field("padding", "pre")
        writer.field("truncating", "pre")
        writer.field("activation", details.activation)
        writer.field("recurrent_activation", details.recurrentActivation)
        writer.key("labels")
        writer.array { writer in for label in details.labels { writer.value(label) } }
        writer.field("source", details.source)
        writer.field("accepts_text", model.acceptsText)
        writer.field("kernel", details.kernel)
        if let vocabulary = details.vocabulary { writer.field("vocabulary", vocabulary) }
    }
}
