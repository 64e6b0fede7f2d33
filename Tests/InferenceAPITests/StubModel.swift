import InferenceAPI
import Locking
import SentimentModel

/// A model behind the ``ServedModel`` seam that the service tests control: a word is its length
/// in letters as an id (so a text's ids are predictable), a score is the sum of the ids modulo 100
/// divided by 100, and every pass is recorded.
final class StubModel: ServedModel {
    let name: String
    let sha256: String
    let vocabularySize: Int
    let maxLength: Int
    let acceptsText: Bool
    private let passes = Lock<[[TokenSequence]]>([])

    init(
        name: String = "stub", sha256: String = String(repeating: "ab", count: 32), vocabularySize: Int = 100, maxLength: Int = 8,
        acceptsText: Bool = true
    ) {
        self.name = name
        self.sha256 = sha256
        self.vocabularySize = vocabularySize
        self.maxLength = maxLength
        self.acceptsText = acceptsText
    }

    var details: ModelDetails {
        ModelDetails(format: "stub", parameters: 42, embeddingWidth: 2, units: 3, source: "stub.keras", kernel: "none")
    }

    /// The passes run so far, each a batch of sequences in the order they were passed.
    var recordedPasses: [[TokenSequence]] { passes.withLock { $0 } }

    func encode(_ text: String) -> TokenSequence? {
        guard acceptsText else { return nil }
        let ids = [Vocabulary.startID] + text.split(separator: " ").map { Int32(min($0.count, vocabularySize - 1)) }
        return try? TokenSequence(ids, vocabularySize: vocabularySize)
    }

    func predict(_ batch: [TokenSequence]) -> [Float] {
        passes.withLock { $0.append(batch) }
        return batch.map { Self.score(of: $0.ids) }
    }

    /// The score the stub gives a sequence.
    static func score(of ids: [Int32]) -> Float {
        Float(ids.reduce(0) { $0 + Int($1) } % 100) / 100
    }
}
