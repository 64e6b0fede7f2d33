import ArgumentParser
import SentimentModel

/// `lstm-serve predict TEXT…`: classify reviews from the command line.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Classify reviews given as arguments or in a file (one review a line).")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Read reviews from this file, one a line, any line ending; blank lines are skipped ('-': standard input).")
    var file: String?

    @Flag(name: .long, help: "Explain each score word by word: the score after each word and the change it caused.")
    var explain = false

    @Argument(help: "Reviews to classify.")
    var texts: [String] = []

    func run() throws {
        var reviews = texts
        if let file {
            let lines = try ReviewLines.read(file)
            guard !lines.reviews.isEmpty || !texts.isEmpty else { throw CommandFailure("\(file) holds no review: every line is blank") }
            reviews += lines.reviews
            if let note = lines.skippedNote(file) { ReviewLines.writeToStandardError(note) }
        }
        guard !reviews.isEmpty else { throw ValidationError("give at least one review, or --file") }
        let bundle = try modelOptions.load()
        guard let vocabulary = bundle.vocabulary else {
            throw CommandFailure("this model has no vocabulary file; pass --vocab")
        }
        if explain { return printExplanations(reviews, bundle: bundle, vocabulary: vocabulary) }
        let ids = reviews.map(vocabulary.encode)
        let scores = try bundle.classifier.predict(ids)
        for (review, (reviewIDs, score)) in zip(reviews, zip(ids, scores)) {
            // As over HTTP: a review with no word the vocabulary knows has no label (its score is the start id's).
            let label = WordCounts(encodedText: reviewIDs).recognized == 0 ? "none" : ModelBundle.label(for: score)
            let preview = review.count > 60 ? String(review.prefix(57)) + "..." : review
            print("\(label)\t\(score)\t\(preview)")
        }
    }
}
