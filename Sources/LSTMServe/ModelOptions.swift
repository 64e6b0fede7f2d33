import ArgumentParser
import FoundationEssentials
import SentimentModel

/// The options every command that loads a model shares; each falls back to an `LSTM_SERVE_*` variable.
///
/// `serve` may serve several models: `--model` given more than once as `NAME=PATH` (a bare `PATH` is named by its
/// file's stem), or `LSTM_SERVE_MODEL` holding a comma-separated list of the same. Each model reads the vocabulary
/// beside it; `--vocab` applies only when one model is given. The other commands take one model.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            """
            Keras checkpoint (.keras or legacy .h5), as PATH or NAME=PATH; serve takes it more than once to serve several \
            models (NAME: letters, digits, '.', '_', '-'; default: the file's stem). Default: the bundled \
            Models/imdb-lstm.keras. [LSTM_SERVE_MODEL, comma-separated for several]
            """
    )
    var model: [String] = []

    @Option(
        name: .long,
        help:
            """
            Vocabulary file, one word a line. Only with one --model. Default: <checkpoint stem>-vocab.txt beside the \
            checkpoint, if present. [LSTM_SERVE_VOCAB]
            """
    )
    var vocab: String?

    @Option(name: .long, help: "Input length when the checkpoint records none. Default: 500. [LSTM_SERVE_MAX_LENGTH]")
    var maxLength: Int?

    /// One model to load: the name it is served under and its checkpoint.
    struct Spec: Sendable {
        let name: String
        let checkpoint: URL
    }

    /// The models given: `--model` (each `NAME=PATH` or `PATH`), else `LSTM_SERVE_MODEL` split at commas, else the
    /// bundled model. Names are checked and must be unique.
    func specs() throws -> [Spec] {
        var values = model
        if values.isEmpty, let variable = try Environment.value("MODEL", as: String.self) {
            values = variable.split(separator: ",").map(\.trimmed).filter { !$0.isEmpty }
        }
        if values.isEmpty {
            let bundled = try BundledModel.checkpointURL()
            return [Spec(name: Self.stem(of: bundled), checkpoint: bundled)]
        }
        let specs = try values.map { value throws -> Spec in
            if let equals = value.firstIndex(of: "=") {
                let name = String(value[..<equals])
                let path = String(value[value.index(after: equals)...])
                guard Self.isValidName(name), !path.isEmpty else {
                    throw ValidationError("--model \(value): NAME=PATH needs a name of letters, digits, '.', '_' or '-' and a path")
                }
                return Spec(name: name, checkpoint: URL(fileURLWithPath: path))
            }
            let url = URL(fileURLWithPath: value)
            return Spec(name: Self.stem(of: url), checkpoint: url)
        }
        var seen = Set<String>()
        for spec in specs where !seen.insert(spec.name).inserted {
            throw ValidationError("two models are named '\(spec.name)'; name them apart with --model NAME=PATH")
        }
        if specs.count > 1, try Environment.resolve(vocab, "VOCAB", default: "") != "" {
            throw ValidationError("--vocab applies to one model; with several, each reads <stem>-vocab.txt beside its checkpoint")
        }
        return specs
    }

    /// The one model of a command that takes one: an error if several are given.
    func singleSpec() throws -> Spec {
        let specs = try specs()
        guard specs.count == 1 else { throw ValidationError("this command takes one --model, not \(specs.count)") }
        return specs[0]
    }

    /// The checkpoint path of the one model: `--model`, else `LSTM_SERVE_MODEL`, else the bundled model.
    func checkpointURL() throws -> URL {
        try singleSpec().checkpoint
    }

    /// The vocabulary path: `--vocab`, else `LSTM_SERVE_VOCAB`, else `<stem>-vocab.txt` beside the checkpoint if present.
    func vocabularyURL(for checkpoint: URL) throws -> URL? {
        let path = try Environment.resolve(vocab, "VOCAB", default: "")
        if !path.isEmpty { return URL(fileURLWithPath: path) }
        let sibling = checkpoint.deletingLastPathComponent()
            .appendingPathComponent(checkpoint.deletingPathExtension().lastPathComponent + "-vocab.txt")
        return FileManager.default.fileExists(atPath: sibling.path) ? sibling : nil
    }

    /// The files a model is read from (checkpoint, and vocabulary if any), for the reloader's watch.
    func files(of spec: Spec) throws -> [URL] {
        [spec.checkpoint] + (try vocabularyURL(for: spec.checkpoint).map { [$0] } ?? [])
    }

    /// Loads the one model, turning any failure into a clear message and a non-zero exit.
    func load() throws -> ModelBundle {
        try load(singleSpec())
    }

    /// Loads one model, turning any failure into a clear message and a non-zero exit.
    func load(_ spec: Spec) throws -> ModelBundle {
        let url = spec.checkpoint
        let vocabulary = try vocabularyURL(for: url)
        let length = try Environment.resolve(maxLength, "MAX_LENGTH", default: 500)
        guard length > 0 else { throw ValidationError("--max-length must be positive, got \(length)") }
        do {
            return try ModelBundle.load(checkpoint: url, vocabulary: vocabulary, defaultMaxLength: length)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// A served name: what the routes' paths can carry unescaped.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    /// The name of a model given as a bare path, as ``ModelBundle`` names it: the file's stem.
    private static func stem(of url: URL) -> String {
        url.deletingPathExtension().lastPathComponent
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

extension Substring {
    /// Without its leading and trailing whitespace (FoundationEssentials has no `trimmingCharacters(in:)`).
    fileprivate var trimmed: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
