import ArgumentParser
import Glibc
import KerasFiles
import SentimentModel

/// `lstm-serve predict TEXT…`: classify reviews from the command line.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Classify reviews given as arguments or in a file (one review a line).")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Read reviews from this file, one a line ('-' for standard input).")
    var file: String?

    @Argument(help: "Reviews to classify.")
    var texts: [String] = []

    func run() throws {
        var reviews = texts
        if let file {
            let data: [UInt8]
            do {
                data = try file == "-" ? FileContents.readAll(STDIN_FILENO) : FileContents.read(file)
            } catch {
                throw CommandFailure("cannot read \(file): \(error)")
            }
            reviews += String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if reviews.last == "" { reviews.removeLast() }
        }
        guard !reviews.isEmpty else { throw ValidationError("give at least one review, or --file") }
        let bundle = try modelOptions.load()
        guard let vocabulary = bundle.vocabulary else {
            throw CommandFailure("this model has no vocabulary file; pass --vocab")
        }
        let ids = reviews.map(vocabulary.encode)
        let scores = try bundle.classifier.predict(ids)
        for (review, score) in zip(reviews, scores) {
            let label = ModelBundle.label(for: score)
            let preview = review.count > 60 ? String(review.prefix(57)) + "..." : review
            print("\(label)\t\(score)\t\(preview)")
        }
    }
}
