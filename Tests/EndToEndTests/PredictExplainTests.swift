import Foundation
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// `lstm-serve predict --explain`, run as a process: a table of the words read, with the scores the model gives.
    @Suite("predict --explain")
    struct PredictExplainTests {
        /// Without `--explain` too, a review with no word the vocabulary knows gets no label.
        @Test func aReviewWithNoRecognizedWordHasNoLabel() throws {
            let executable = try #require(ServerProcess.executableURL)
            let process = try ServerProcess(
                executable: executable,
                arguments: ["predict", "--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path, "这部电影 😍", "Awful."])
            try process.waitForExit(timeout: .seconds(60))
            #expect(process.exitStatus == 0, "output: \(process.output)")
            let lines = process.output.split(separator: "\n").map { $0.split(separator: "\t").first.map(String.init) }
            #expect(lines == ["none", "negative"], "output: \(process.output)")
        }

        @Test func itPrintsEachWordWithItsScoreAndChange() throws {
            let executable = try #require(ServerProcess.executableURL)
            let reviews = ["A wonderful film, blorptastic acting.", "这部电影 😍"]
            let process = try ServerProcess(
                executable: executable,
                arguments: ["predict", "--explain", "--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path] + reviews)
            try process.waitForExit(timeout: .seconds(60))
            #expect(process.exitStatus == 0, "output: \(process.output)")
            let lines = process.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let first = try #require(BundledModel.bundle.explain(reviews[0]))
            func fixed(_ value: Float) -> String { String(format: "%.4f", Double(value)) }
            #expect(lines.first == "\(ModelBundle.label(for: first.score))\t\(first.score)\twords recognized: 4, unrecognized: 1", "\(lines)")
            #expect(lines.contains { $0.split(separator: " ").map(String.init) == ["(start)", fixed(first.baseline)] }, "\(lines)")
            for word in first.words {
                let columns = [word.text, fixed(word.score), (word.change < 0 ? "-" : "+") + fixed(abs(word.change))]
                let note = word.recognized ? [] : ["(unknown", "word)"]
                #expect(lines.contains { $0.split(separator: " ").map(String.init) == columns + note }, "\(word.text): \(lines)")
            }
            let startOnly = try Fixtures.unbatchedScore(ids: [Vocabulary.startID])
            #expect(lines.contains("no label (no recognized words)\t\(startOnly)\twords recognized: 0, unrecognized: 0"), "\(lines)")
        }
    }
}
