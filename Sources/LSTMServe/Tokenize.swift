import ArgumentParser
import FoundationEssentials
import SentimentModel

/// `lstm-serve tokenize`: the Swift tokenizer's ids, for checking against the Python one.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each review's unpadded ids, one review a line ('<id>\\t<ids…>'); see training/check_tokenizer.py.")

    @Option(name: .long, help: "Vocabulary file. Default: the bundled model's.")
    var vocab: String?

    @Option(name: .long, help: "Reviews in a .jsonl.gz file (id, text per line).")
    var data: String

    func run() throws {
        let url =
            try vocab.map { URL(fileURLWithPath: $0) }
            ?? BundledModel.checkpointURL().deletingLastPathComponent().appendingPathComponent("imdb-lstm-vocab.txt")
        let vocabulary = try Vocabulary(contentsOf: url)
        var output = ""
        for review in try ReviewFile.read(data) {
            output += review.id + "\t" + vocabulary.encode(review.text).map(String.init).joined(separator: " ") + "\n"
            if output.utf8.count > 1 << 20 {
                print(output, terminator: "")
                output = ""
            }
        }
        print(output, terminator: "")
    }
}
