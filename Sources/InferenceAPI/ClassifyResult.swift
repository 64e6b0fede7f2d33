/// One classified sequence, as the API reports it.
struct ClassifyResult: Equatable {
    /// `positive` when the score is at least 0.5, else `negative`.
    let label: String
    /// P(positive), the model's sigmoid output.
    let score: Float
    /// Ids in the unpadded sequence, start id included, before truncation.
    let tokens: Int
    /// Whether the sequence was longer than the model's maximum length (only its end was read).
    let truncated: Bool

    func write(to writer: inout JSONWriter) {
        writer.field("label", label)
        writer.field("score", score)
        writer.field("tokens", tokens)
        writer.field("truncated", truncated)
    }
}
