import ArgumentParser
import Foundation
import SentimentModel

/// The options every command that loads a model shares.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Keras checkpoint (.keras or legacy .h5). Default: the bundled Models/imdb-lstm.keras.")
    var model: String?

    @Option(name: .long, help: "Vocabulary file, one word a line. Default: the checkpoint's <name>-vocab.txt when it exists.")
    var vocab: String?

    @Option(name: .long, help: "Input length when the checkpoint records none.")
    var maxLength: Int = 500

    /// The checkpoint path: `--model`, else `LSTM_SERVE_MODEL`, else the bundled model.
    func checkpointURL() throws -> URL {
        if let model { return URL(fileURLWithPath: model) }
        if let path = ProcessInfo.processInfo.environment["LSTM_SERVE_MODEL"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return try BundledModel.checkpointURL()
    }

    /// The vocabulary path: `--vocab`, else `LSTM_SERVE_VOCAB`, else `<stem>-vocab.txt` beside the checkpoint if present.
    func vocabularyURL(for checkpoint: URL) -> URL? {
        if let vocab { return URL(fileURLWithPath: vocab) }
        if let path = ProcessInfo.processInfo.environment["LSTM_SERVE_VOCAB"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let sibling = checkpoint.deletingLastPathComponent()
            .appendingPathComponent(checkpoint.deletingPathExtension().lastPathComponent + "-vocab.txt")
        return FileManager.default.fileExists(atPath: sibling.path) ? sibling : nil
    }

    /// Loads the model, turning any failure into a clear message and a non-zero exit.
    func load() throws -> ModelBundle {
        let url = try checkpointURL()
        do {
            return try ModelBundle.load(checkpoint: url, vocabulary: vocabularyURL(for: url), defaultMaxLength: maxLength)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// Finds the model shipped in the repository (or the Docker image).
enum BundledModel {
    static let relativePath = "Models/imdb-lstm.keras"

    /// `./Models/imdb-lstm.keras`, else the same path above the executable (for `.build/release/lstm-serve`).
    static func checkpointURL() throws -> URL {
        let fileManager = FileManager.default
        var candidates = [URL(fileURLWithPath: fileManager.currentDirectoryPath).appendingPathComponent(relativePath)]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent(relativePath))
            directory = directory.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { fileManager.fileExists(atPath: $0.path) }) else {
            throw CommandFailure("no --model given and the bundled \(relativePath) was not found (looked in \(candidates[0].path) and above the executable)")
        }
        return found
    }
}
