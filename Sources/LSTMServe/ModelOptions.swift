import ArgumentParser
import FoundationEssentials
import SentimentModel

/// The options every command that loads a model shares; each falls back to an `LSTM_SERVE_*` variable.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Keras checkpoint (.keras or legacy .h5). Default: the bundled Models/imdb-lstm.keras. [LSTM_SERVE_MODEL]")
    var model: String?

    @Option(
        name: .long,
        help:
            """
            Vocabulary file, one word a line. Default: <checkpoint stem>-vocab.txt beside the checkpoint, if present. \
            [LSTM_SERVE_VOCAB]
            """
    )
    var vocab: String?

    @Option(name: .long, help: "Input length when the checkpoint records none. Default: 500. [LSTM_SERVE_MAX_LENGTH]")
    var maxLength: Int?

    /// The checkpoint path: `--model`, else `LSTM_SERVE_MODEL`, else the bundled model.
    func checkpointURL() throws -> URL {
        let path = try Environment.resolve(model, "MODEL", default: "")
        if !path.isEmpty { return URL(fileURLWithPath: path) }
        return try BundledModel.checkpointURL()
    }

    /// The vocabulary path: `--vocab`, else `LSTM_SERVE_VOCAB`, else `<stem>-vocab.txt` beside the checkpoint if present.
    func vocabularyURL(for checkpoint: URL) throws -> URL? {
        let path = try Environment.resolve(vocab, "VOCAB", default: "")
        if !path.isEmpty { return URL(fileURLWithPath: path) }
        let sibling = checkpoint.deletingLastPathComponent()
            .appendingPathComponent(checkpoint.deletingPathExtension().lastPathComponent + "-vocab.txt")
        return FileManager.default.fileExists(atPath: sibling.path) ? sibling : nil
    }

    /// Loads the model, turning any failure into a clear message and a non-zero exit.
    func load() throws -> ModelBundle {
        let url = try checkpointURL()
        let vocabulary = try vocabularyURL(for: url)
        let length = try Environment.resolve(maxLength, "MAX_LENGTH", default: 500)
        guard length > 0 else { throw ValidationError("--max-length must be positive, got \(length)") }
        do {
            return try ModelBundle.load(checkpoint: url, vocabulary: vocabulary, defaultMaxLength: length)
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
            throw CommandFailure(
                "no --model given and the bundled \(relativePath) was not found (looked in \(candidates[0].path) and above the executable)")
        }
        return found
    }
}
