import ArgumentParser
import Dispatch
import Glibc
import SentimentModel

/// `lstm-serve eval --data test.jsonl.gz`: accuracy on labeled reviews.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Measure accuracy on a labeled .jsonl.gz file of reviews.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Labeled reviews, one JSON object a line (id, label, text), e.g. DATA_DIR/test.jsonl.gz (see training/README.md).")
    var data: String

    @Option(name: .long, help: "Reviews per forward pass.")
    var batchSize: Int = 256

    func run() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        let bundle = try modelOptions.load()
        guard let vocabulary = bundle.vocabulary else { throw CommandFailure("this model has no vocabulary file; pass --vocab") }
        let reviews = try ReviewFile.read(data)
        guard !reviews.isEmpty else { throw CommandFailure("\(data) holds no reviews") }

        let start = DispatchTime.now().uptimeNanoseconds
        let ids = reviews.map { vocabulary.encode($0.text) }
        let tokenized = DispatchTime.now().uptimeNanoseconds
        var correct = 0
        for batchStart in stride(from: 0, to: reviews.count, by: batchSize) {
            let range = batchStart..<min(batchStart + batchSize, reviews.count)
            let scores = try bundle.classifier.predict(Array(ids[range]))
            for (review, score) in zip(reviews[range], scores) where ModelBundle.classIndex(for: score) == review.label {
                correct += 1
            }
        }
        let end = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(end - start) / 1e9
        let accuracy = Double(correct) / Double(reviews.count)
        print("model:      \(bundle.name) (sha256 \(bundle.sha256.prefix(16))…)")
        print("reviews:    \(reviews.count)")
        print("accuracy:   \(fixed(accuracy, decimals: 4)) (\(correct)/\(reviews.count))")
        let rate = fixed(Double(reviews.count) / seconds, decimals: 0)
        let tokenizing = fixed(Double(tokenized - start) / 1e9, decimals: 2)
        let forward = fixed(Double(end - tokenized) / 1e9, decimals: 2)
        print("throughput: \(rate) reviews/s (tokenize \(tokenizing) s, forward \(forward) s, batch \(batchSize))")
    }

    /// `value` with `decimals` digits after the point, as printf's `%.*f` writes it. Not `String(format:)`, which
    /// is full Foundation's and links ICU's data into the static binary.
    private func fixed(_ value: Double, decimals: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([Int32(decimals), value]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
