/// The samples of a Prometheus text exposition, by series: `name{label="value",…}` as written, labels in the
/// order the exposition gives them (the order the metric was made with; a histogram's `le` last).
package struct PrometheusSamples: CustomStringConvertible {
    /// Value by series.
    package let values: [String: Double]
    /// The `# HELP` and `# TYPE` lines, by metric name.
    package let help: [String: String]
    package let types: [String: String]

    /// Parses `text`; a line it cannot read is skipped (``promtool check metrics`` is the validator).
    package init(_ text: [UInt8]) {
        var values: [String: Double] = [:]
        var help: [String: String] = [:]
        var types: [String: String] = [:]
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 3)
            if line.hasPrefix("# HELP "), words.count == 4 {
                help[String(words[2])] = String(words[3])
            } else if line.hasPrefix("# TYPE "), words.count == 4 {
                types[String(words[2])] = String(words[3])
            } else if !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) {
                values[String(line[..<space])] = value
            }
        }
        self.values = values
        self.help = help
        self.types = types
    }

    /// The value of series `name` with `labels`, in the order the exposition writes them; nil if it has none.
    package subscript(_ name: String, _ labels: KeyValuePairs<String, String> = [:]) -> Double? {
        values[Self.series(name, labels)]
    }

    /// How a series is written: `name` or `name{a="1",b="2"}`.
    package static func series(_ name: String, _ labels: KeyValuePairs<String, String>) -> String {
        labels.isEmpty ? name : name + "{" + labels.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    package var description: String {
        values.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "\n")
    }
}
