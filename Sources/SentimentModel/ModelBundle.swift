package import FoundationEssentials
package import KerasFiles

/// A served model: the classifier, its optional vocabulary, and where it came from.
package struct ModelBundle: Sendable {
    /// The name clients see, the checkpoint's file stem (`imdb-lstm`).
    package let name: String
    /// The classifier built from the checkpoint.
    package let classifier: LSTMClassifier
    /// The tokenizer vocabulary; without it only token-id requests can be served.
    package let vocabulary: Vocabulary?
    /// The checkpoint file.
    package let checkpointURL: URL
    /// The vocabulary file, when there is one.
    package let vocabularyURL: URL?
    /// Lower-case hexadecimal SHA-256 of the checkpoint file.
    package let sha256: String
    /// The checkpoint's file format.
    package let format: CheckpointFormat
    /// The Keras version that wrote the file, when it says.
    package let kerasVersion: String?

    /// `keras` (Keras 3 native zip) or `legacy_hdf5` (single-file `.h5`), for reports.
    package var formatName: String { format == .keras ? "keras" : "legacy_hdf5" }

    /// Labels by class index: 0 negative, 1 positive.
    package static let labels = ["negative", "positive"]

    /// The class of a score: 1 (positive) when P(positive) is at least 0.5, else 0.
    package static func classIndex(for score: Float) -> Int {
        score >= 0.5 ? 1 : 0
    }

    /// The label of a score, from ``labels``.
    package static func label(for score: Float) -> String {
        labels[classIndex(for: score)]
    }

    /// Reads and validates a checkpoint (and a vocabulary, if given), failing with a clear message.
    package static func load(checkpoint url: URL, vocabulary vocabularyURL: URL?, defaultMaxLength: Int = 500) throws(ModelError) -> ModelBundle {
        let bytes: [UInt8]
        do {
            bytes = try KerasCheckpoint.readFile(url)
        } catch .io(let detail) {
            let prefix = url.path + ": "
            throw .unreadableFile(path: url.path, reason: detail.hasPrefix(prefix) ? String(detail.dropFirst(prefix.count)) : detail)
        } catch {
            throw .invalidCheckpoint(path: url.path, reason: error.description)
        }
        let checkpoint: KerasCheckpoint
        do {
            checkpoint = try KerasCheckpoint.load(bytes: bytes)
        } catch {
            throw .invalidCheckpoint(path: url.path, reason: error.description)
        }
        let classifier = try LSTMClassifier(checkpoint: checkpoint, defaultMaxLength: defaultMaxLength)
        var vocabulary: Vocabulary?
        if let vocabularyURL {
            let loaded = try Vocabulary(contentsOf: vocabularyURL)
            guard loaded.count <= classifier.architecture.vocabularySize else {
                throw .vocabularyMismatch(vocabulary: loaded.count, embedding: classifier.architecture.vocabularySize)
            }
            vocabulary = loaded
        }
        return ModelBundle(
            name: url.deletingPathExtension().lastPathComponent, classifier: classifier, vocabulary: vocabulary,
            checkpointURL: url, vocabularyURL: vocabularyURL, sha256: SHA256.hexDigest(of: bytes),
            format: checkpoint.format, kerasVersion: checkpoint.kerasVersion)
    }
}
