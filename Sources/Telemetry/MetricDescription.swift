/// What the exposition says of one metric beyond its samples: the `# HELP` line, and a histogram's buckets.
///
/// swift-metrics' factory calls carry a metric's name (its label) and labels only, so the help text and bucket
/// bounds travel separately, keyed by name, to ``DescribedMetricsFactory``.
package struct MetricDescription: Sendable, Equatable {
    /// The Prometheus metric name, e.g. `lstm_serve_http_requests_total`.
    package var name: String
    /// One sentence for the `# HELP` line: what is counted or measured, and in which unit.
    package var help: String
    /// Upper bounds of a histogram's buckets, ascending, in the metric's base unit (seconds for a swift-metrics
    /// `Timer`); `+Inf` is implied. Empty for counters and gauges.
    package var buckets: [Double]

    package init(_ name: String, help: String, buckets: [Double] = []) {
        self.name = name
        self.help = help
        self.buckets = buckets
    }

    /// Latency bounds in seconds from 50 µs to 10 s, about ×2 to ×2.5 apart (1-2.5-5 in each decade).
    package static let secondsBuckets: [Double] = [
        0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
}
