import ArgumentParser
import Dispatch
import FoundationEssentials
import SentimentModel

/// `lstm-serve bench --data test.jsonl.gz`: forward-pass throughput, one JSON line per case.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure forward-pass sequences/s and tokens/s on real review lengths and at the maximum length.",
        discussion: "Each case runs for --seconds after a warm-up, --repeats times; the median is reported.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Reviews in a .jsonl.gz file, e.g. DATA_DIR/test.jsonl.gz (training/README.md says how to make it).")
    var data: String

    @Option(name: .long, help: "How many reviews to use (from the start of the file).")
    var reviews: Int = 4_096

    @Option(name: .long, parsing: .upToNextOption, help: "Batch sizes to measure.")
    var batchSizes: [Int] = [1, 8, 64, 256]

    @Option(name: .long, help: "Seconds per timed repetition.")
    var seconds: Double = 1.0

    @Option(name: .long, help: "Timed repetitions per case; the median is printed.")
    var repeats: Int = 5

    func run() throws {
        guard reviews > 0, seconds > 0, repeats > 0, batchSizes.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--reviews, --seconds, --repeats and --batch-sizes must be positive")
        }
        let bundle = try modelOptions.load()
        guard let vocabulary = bundle.vocabulary else { throw CommandFailure("this model has no vocabulary file; pass --vocab") }
        let texts = try ReviewFile.read(data).prefix(reviews).map(\.text)
        guard !texts.isEmpty else { throw CommandFailure("\(data) holds no reviews") }
        let maxLength = bundle.classifier.architecture.maxLength
        let real = texts.map { Array(vocabulary.encode($0).suffix(maxLength)) }
        // Full-length sequences: each review's ids repeated to exactly maxLength.
        let full = real.map { ids in (0..<maxLength).map { ids[$0 % ids.count] } }

        try printLine(tokenizerCase(vocabulary, texts))
        for (name, sequences) in [("real_lengths", real), ("max_length", full)] {
            for batchSize in batchSizes {
                let result = try measure(bundle.classifier, sequences, batchSize: batchSize)
                let line: [String: JSONLineValue] = [
                    "case": .text(name), "batch_size": .integer(batchSize), "sequences_per_second": .number(result.sequences.rounded()),
                    "tokens_per_second": .number(result.tokens.rounded()), "mean_length": .number(result.meanLength),
                    "repeats": .integer(repeats), "seconds_per_repeat": .number(seconds), "model": .text(bundle.name),
                ]
                try printLine(line)
            }
        }
    }

    private func printLine(_ line: [String: JSONLineValue]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(line), as: UTF8.self))
    }

    /// Tokenizing and looking up the ids of whole reviews, on its own: median reviews/s and tokens/s.
    private func tokenizerCase(_ vocabulary: Vocabulary, _ texts: [String]) -> [String: JSONLineValue] {
        var runs: [(Double, Double)] = []
        for _ in 0...repeats {  // the first run warms up and is dropped
            let start = DispatchTime.now().uptimeNanoseconds
            var reviews = 0
            var tokens = 0
            var elapsed = 0.0
            while elapsed < seconds {
                for text in texts { tokens += vocabulary.encode(text).count }
                reviews += texts.count
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }
            runs.append((Double(reviews) / elapsed, Double(tokens) / elapsed))
        }
        runs.removeFirst()
        runs.sort { $0.0 < $1.0 }
        let median = runs[runs.count / 2]
        return [
            "case": .text("tokenize"), "reviews_per_second": .number(median.0.rounded()), "tokens_per_second": .number(median.1.rounded()),
            "repeats": .integer(repeats), "seconds_per_repeat": .number(seconds),
        ]
    }

    private struct Result {
        let sequences: Double
        let tokens: Double
        let meanLength: Double
    }

    /// Median throughput over `repeats` runs, cycling through `sequences` in consecutive batches.
    private func measure(_ classifier: LSTMClassifier, _ sequences: [[Int32]], batchSize: Int) throws -> Result {
        let batches = stride(from: 0, to: sequences.count, by: batchSize).map { start in
            (0..<batchSize).map { sequences[(start + $0) % sequences.count] }
        }
        let lengths = batches.map { $0.reduce(0) { $0 + $1.count } }
        var cursor = 0
        func runFor(_ duration: Double) throws -> (Int, Int, Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            var count = 0
            var tokens = 0
            var elapsed = 0.0
            while elapsed < duration {
                _ = try classifier.predict(batches[cursor])
                count += batchSize
                tokens += lengths[cursor]
                cursor = (cursor + 1) % batches.count
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }
            return (count, tokens, elapsed)
        }
        _ = try runFor(min(seconds, 0.5))
        var runs: [(Double, Double)] = []
        for _ in 0..<repeats {
            let (count, tokens, elapsed) = try runFor(seconds)
            runs.append((Double(count) / elapsed, Double(tokens) / elapsed))
        }
        runs.sort { $0.0 < $1.0 }
        let median = runs[runs.count / 2]
        let meanLength = Double(lengths.reduce(0, +)) / Double(batches.count * batchSize)
        return Result(sequences: median.0, tokens: median.1, meanLength: (meanLength * 10).rounded() / 10)
    }
}

/// A value of one of `bench`'s JSON lines (JSONSerialization, which took `Any`, is not in FoundationEssentials).
private enum JSONLineValue: Encodable {
    case text(String)
    case integer(Int)
    case number(Double)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .integer(let integer): try container.encode(integer)
        case .number(let number): try container.encode(number)
        }
    }
}
