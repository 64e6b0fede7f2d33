import SentimentModel

extension Predict {
    /// `predict --explain`: per review, its label and score, then a table of the words the model read with the
    /// score of the review up to each and the change it caused (what `"explain": true` answers over HTTP).
    static func explanationTable(review: String, explanation: Explanation, counts: WordCounts) -> String {
        let label = counts.recognized == 0 ? "no label (no recognized words)" : ModelBundle.label(for: explanation.score)
        var lines = ["\(label)\t\(explanation.score)\twords recognized: \(counts.recognized), unrecognized: \(counts.unrecognized)"]
        let width = min(max(explanation.words.map { $0.text.count }.max() ?? 0, "(padding)".count), 24)
        func cell(_ text: String) -> String {
            let shown = text.count > width ? String(text.prefix(width - 1)) + "…" : text
            return shown + String(repeating: " ", count: width - shown.count)
        }
        lines.append("  \(cell("word"))  score   change")
        // A review longer than the model reads loses its start id and first words: its baseline is that of no input.
        let truncated = explanation.words.count < counts.recognized + counts.unrecognized
        lines.append("  \(cell(truncated ? "(padding)" : "(start)"))  \(fixed(explanation.baseline))")
        for word in explanation.words {
            let sign = word.change < 0 ? "-" : "+"
            let note = word.recognized ? "" : "  (unknown word)"
            lines.append("  \(cell(word.text))  \(fixed(word.score))  \(sign)\(fixed(abs(word.change)))\(note)")
        }
        return lines.joined(separator: "\n")
    }

    /// `value` (a score, in 0...1) with four decimals, as `0.1234`.
    private static func fixed(_ value: Float) -> String {
        guard value.isFinite else { return "\(value)" }
        let scaled = Int((Double(value) * 10_000).rounded())
        let fraction = String(scaled % 10_000)
        return "\(scaled / 10_000).\(String(repeating: "0", count: 4 - fraction.count))\(fraction)"
    }
}

extension Predict {
    func printExplanations(_ reviews: [String], bundle: ModelBundle, vocabulary: Vocabulary) {
        for (index, review) in reviews.enumerated() {
            guard let explanation = bundle.explain(review) else { continue }
            if index > 0 { print() }
            print(Self.explanationTable(review: review, explanation: explanation, counts: WordCounts(encodedText: vocabulary.encode(review))))
        }
    }
}
