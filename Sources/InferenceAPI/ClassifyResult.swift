import SentimentModel

/// One classified sequence, as the API reports it.
struct ClassifyResult: Equatable {
    /// `positive` when the score is at least 0.5, else `negative`; nil for a text with no word the
    /// model recognises, whose score says nothing about it (see ``reason``).
    let label: String?
    /// P(positive), the model's sigmoid output.
    let score: Float
    /// Ids in the unpadded sequence, start id included, before truncation.
    let tokens: Int
    /// Whether the sequence was longer than the model's maximum length (only its end was read).
    let truncated: Bool
    /// For a text: how many of its words the model recognised and how many it did not, before truncation.
    /// Nil for token ids, which the client chose.
    let words: WordCounts?
    /// The score explained word by word, when the request asked for it.
    var explanation: Explanation?

    /// Why there is no label: `no_recognized_words`; nil when there is one.
    var reason: String? { label == nil ? "no_recognized_words" : nil }

    /// The result of a sequence scored `score`: labelled by `model`, unless it is a text (`words` given)
    /// in which the model recognised no word.
    init(score: Float, tokens: Int, truncated: Bool, words: WordCounts?, model: any ServedModel) {
        if let words, words.recognized == 0 {
            self.label = nil
        } else {
            self.label = model.label(for: score)
        }
        self.score = score
        self.tokens = tokens
        self.truncated = truncated
        self.words = words
    }

    func write(to writer: inout JSONWriter) {
        writer.field("label", label)
        writer.field("score", score)
        writer.field("tokens", tokens)
        writer.field("truncated", truncated)
        if let words {
            writer.key("words")
            writer.object { writer in
                writer.field("recognized", words.recognized)
                writer.field("unrecognized", words.unrecognized)
            }
        }
        if let reason { writer.field("reason", reason) }
        if let explanation {
            writer.key("explanation")
            writer.object { writer in
                writer.field("baseline", explanation.baseline)
                writer.key("words")
                writer.array { writer in
                    for word in explanation.words {
                        writer.object { writer in
                            writer.field("text", word.text)
                            writer.field("start", word.start)
                            writer.field("end", word.end)
                            writer.field("score", word.score)
                            writer.field("change", word.change)
                            writer.field("recognized", word.recognized)
                        }
                    }
                }
            }
        }
    }
}
