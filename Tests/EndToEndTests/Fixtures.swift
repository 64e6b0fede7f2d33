import Foundation
import SentimentModel
import TestSupport

/// The review texts the tests send, and the scores the bundled model gives alone.
enum Fixtures {
    /// A second checkpoint of the same family (5,000 ids × 16 × 48 units), for serving two models or reloading.
    static let alternativeCheckpointURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SentimentModelTests/Fixtures/alt-5000x16x48.keras")

    /// The score of `text` computed alone, with no HTTP and no batching: the reference every served score must equal.
    static func unbatchedScore(_ text: String) throws -> Float {
        try BundledModel.bundle.classifier.predict([BundledModel.vocabulary.encode(text)])[0]
    }

    /// The score of one id sequence computed alone.
    static func unbatchedScore(ids: [Int32]) throws -> Float {
        try BundledModel.bundle.classifier.predict([ids])[0]
    }

    /// 64 different review-like texts: every opening combined with every verdict.
    static let reviews: [String] = openings.flatMap { opening in verdicts.map { "\(opening) \($0)" } }

    private static let openings = [
        "I went in expecting a light comedy and got a slow, brooding drama instead.",
        "The director clearly loves this city, and every street scene is gorgeous.",
        "Two hours of wooden dialogue and a plot that makes no sense at all.",
        "The lead actress gives the performance of her career as a grieving mother.",
        "This sequel repeats every joke of the original, only louder and worse.",
        "A documentary about jazz musicians that never once lets the music breathe.",
        "My kids laughed from start to finish and so, honestly, did I.",
        "The special effects were impressive for the time but the story drags badly.",
    ]

    private static let verdicts = [
        "One of the best films I have seen this year; I will watch it again.",
        "A complete waste of time and money, avoid it.",
        "Brilliant writing, wonderful acting and a beautiful score.",
        "The ending was predictable and the characters were boring and flat.",
        "I was moved to tears, a truly great and touching story.",
        "Terrible editing, awful sound and the worst script imaginable.",
        "Not perfect, but charming, funny and well worth seeing.",
        "I fell asleep halfway through and did not bother to finish it.",
    ]
}
