import Foundation
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// The README's curl examples, replayed against the live service: each must answer exactly what the README shows.
    /// The README prints the AVX2 kernel's scores, whose last digits the portable kernel may not reproduce.
    @Suite("README examples", .enabled(if: BundledModel.bundle.classifier.kernel == "avx2+fma"))
    struct ReadmeExampleTests {
        /// One `$ curl …` line of the README's console block and the output printed under it.
        struct Example: CustomStringConvertible {
            let body: String
            /// `-H` header lines of the example besides `Content-Type`.
            let headers: [String]
            let expected: [String]
            let includesHead: Bool
            var description: String { body }
        }

        static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")

        /// The `classify` examples of the first ```console block: their `-d '…'` bodies and expected lines.
        static func examples() throws -> [Example] {
            let text = try String(contentsOf: readme, encoding: .utf8)
            guard let start = text.range(of: "```console\n"), let end = text[start.upperBound...].range(of: "```\n") else { return [] }
            var examples: [Example] = []
            var current: (body: String, head: Bool, headers: [String], lines: [String])?
            func finish() {
                if let current {
                    var lines = current.lines
                    while lines.last?.isEmpty == true { lines.removeLast() }
                    examples.append(Example(body: current.body, headers: current.headers, expected: lines, includesHead: current.head))
                }
                current = nil
            }
            for line in text[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("$ ") {
                    finish()
                    guard line.contains("/classify"), let open = line.range(of: "-d '"), let close = line.range(of: "'", options: .backwards),
                        open.upperBound < close.lowerBound
                    else { continue }
                    // Header options other than Content-Type (which every example sends) are sent as given.
                    let headers = line.components(separatedBy: "-H '").dropFirst().compactMap { $0.split(separator: "'").first.map(String.init) }
                        .filter { !$0.hasPrefix("Content-Type:") }
                    current = (String(line[open.upperBound..<close.lowerBound]), line.contains(" -i "), headers, [])
                } else {
                    current?.lines.append(String(line))
                }
            }
            finish()
            return examples
        }

        @Test func everyCurlExampleAnswersWhatTheReadmeShows() throws {
            let examples = try Self.examples()
            #expect(examples.count >= 4)
            try LiveServer.run { server in
                for example in examples {
                    let response = try server.exchange(RawHTTPClient.classify(example.body, headers: example.headers))
                    var lines: [String] = []
                    if example.includesHead {
                        // Only what curl -i shows that the README pins: status line and the non-Date headers, in order.
                        lines.append(response.statusLine)
                        lines += response.headers.filter { $0.name != "Date" }.map { "\($0.name): \($0.value)" }
                        lines.append("")
                    }
                    // The body ends its line; the README shows the line.
                    #expect(response.text.hasSuffix("\n"), "README example \(example.body): the body does not end with a newline")
                    lines.append(String(response.text.dropLast()))
                    let expected = example.expected.filter { !$0.hasPrefix("Date: ") }
                    #expect(lines == expected, "README example \(example.body)")
                }
            }
        }
    }
}
