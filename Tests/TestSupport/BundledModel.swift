package import Foundation
package import SentimentModel

/// The model `lstm-serve` ships in `Models/`, found from this file's path and loaded at most once per test
/// process, whichever test target asks first.
package enum BundledModel {
    /// `Models/` at the repository root.
    package static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Models")

    /// `Models/imdb-lstm.keras`.
    package static let checkpointURL = directory.appendingPathComponent("imdb-lstm.keras")

    /// `Models/imdb-lstm-vocab.txt`.
    package static let vocabularyURL = directory.appendingPathComponent("imdb-lstm-vocab.txt")

    /// The checkpoint with its vocabulary, as `lstm-serve` serves it by default.
    package static let bundle: ModelBundle = load(vocabulary: vocabularyURL)

    /// The same checkpoint without a vocabulary: it accepts token ids only.
    package static let tokenOnlyBundle: ModelBundle = load(vocabulary: nil)

    /// The bundled vocabulary.
    package static var vocabulary: Vocabulary {
        guard let vocabulary = bundle.vocabulary else { fatalError("the bundled model was loaded without its vocabulary") }
        return vocabulary
    }

    private static func load(vocabulary: URL?) -> ModelBundle {
        do {
            return try ModelBundle.load(checkpoint: checkpointURL, vocabulary: vocabulary)
        } catch {
            fatalError("the bundled model in \(directory.path) does not load: \(error)")
        }
    }
}
