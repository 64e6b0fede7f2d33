import Foundation

/// Paths to the committed fixtures (the bundled model is TestSupport's `BundledModel`).
enum Fixtures {
    /// `Tests/SentimentModelTests/Fixtures/<name>`.
    static func url(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    /// A golden file written by `training/make_golden.py`.
    static func golden(_ name: String) throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url(name)))
    }
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
