/// What `GET /v1/models` says of a served model: its facts, and TF Serving's `model_version_status`.
struct ModelInfo {
    let name: String
    let loaded: LoadedModel

    init(name: String, _ loaded: LoadedModel) {
        self.name = name
        self.loaded = loaded
    }

    func write(to writer: inout JSONWriter) {
        let model = loaded.model
        let details = model.details
        writer.field("name", name)
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
        // TF Serving's GetModelStatus answer: the one version in service, available.
        writer.key("model_version_status")
        writer.array { writer in
            writer.object { writer in
                writer.field("version", String(loaded.version))
                writer.field("state", "AVAILABLE")
                writer.key("status")
                writer.object { writer in
                    writer.field("error_code", "OK")
                    writer.field("error_message", "")
                }
            }
        }
    }
}
