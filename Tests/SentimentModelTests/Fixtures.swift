import Foundation
import SentimentModel

/// Paths to the committed fixtures and the bundled model.
enum Fixtures {
    /// `Tests/SentimentModelTests/Fixtures/<name>`.
    static func url(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    /// `Models/<name>` at the repository root.
    static func model(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Models").appendingPathComponent(name)
    }

    /// A golden file written by `training/make_golden.py`.
    static func golden(_ name: String) throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url(name)))
    }

    static let bundled: ModelBundle = {
        do {
            return try ModelBundle.load(checkpoint: model("imdb-lstm.keras"), vocabulary: model("imdb-lstm-vocab.txt"))
        } catch {
            fatalError("the bundled model does not load: \(error)")
        }
    }()
}

/// Inputs and Keras `predict` outputs for one model.
struct Golden: Decodable {
    struct Case: Decodable {
        let name: String?
        let text: String?
        let tokens: [String]?
        let ids: [Int32]
        let keras_score: Float
    }
    let max_length: Int
    let cases: [Case]
}
