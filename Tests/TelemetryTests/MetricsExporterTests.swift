import CoreMetrics
import Glibc
import Telemetry
import TestSupport
import Testing

/// The factory gives each metric its description's help text and buckets; the exporter runs its collectors and
/// writes the text format.
struct MetricsExporterTests {
    static let descriptions = [
        MetricDescription("test_requests_total", help: "Requests."),
        MetricDescription("test_wait_seconds", help: "Waits in seconds.", buckets: [0.001, 0.01]),
        MetricDescription("test_batch_size", help: "Sizes.", buckets: [1, 2, 4]),
        MetricDescription("test_open", help: "Open things."),
    ]

    @Test func metricsMadeThroughSwiftMetricsCarryTheirHelpAndBuckets() {
        let exporter = MetricsExporter(descriptions: Self.descriptions)
        let factory = exporter.factory
        Counter(label: "test_requests_total", dimensions: [("route", "/a")], factory: factory).increment(by: 2)
        let wait = CoreMetrics.Timer(label: "test_wait_seconds", dimensions: [], factory: factory)
        wait.recordNanoseconds(500_000)
        wait.recordNanoseconds(5_000_000)
        Recorder(label: "test_batch_size", dimensions: [], aggregate: true, factory: factory).record(3)
        Meter(label: "test_open", dimensions: [], factory: factory).set(7)
        let samples = PrometheusSamples(exporter.exposition())
        #expect(
            samples.help == [
                "test_requests_total": "Requests.", "test_wait_seconds": "Waits in seconds.", "test_batch_size": "Sizes.",
                "test_open": "Open things.",
            ])
        #expect(
            samples.types == [
                "test_requests_total": "counter", "test_wait_seconds": "histogram", "test_batch_size": "histogram", "test_open": "gauge",
            ])
        #expect(samples["test_requests_total", ["route": "/a"]] == 2)
        #expect(samples["test_wait_seconds_bucket", ["le": "0.001"]] == 1)
        #expect(samples["test_wait_seconds_bucket", ["le": "0.01"]] == 2)
        #expect(samples["test_wait_seconds_bucket", ["le": "+Inf"]] == 2)
        #expect(samples["test_wait_seconds_sum"] == 0.0055)
        #expect(samples["test_batch_size_bucket", ["le": "2.0"]] == 0)
        #expect(samples["test_batch_size_bucket", ["le": "4.0"]] == 1)
        #expect(samples["test_open"] == 7)
    }

    /// A destroyed handle's series leaves the exposition (how `lstm_serve_model_info` drops an old version).
    @Test func destroyingAHandleRemovesItsSeries() {
        let exporter = MetricsExporter(descriptions: Self.descriptions)
        let old = Gauge(label: "test_open", dimensions: [("version", "1")], factory: exporter.factory)
        old.record(1)
        Gauge(label: "test_open", dimensions: [("version", "2")], factory: exporter.factory).record(1)
        old.destroy()
        let samples = PrometheusSamples(exporter.exposition())
        #expect(samples["test_open", ["version": "1"]] == nil)
        #expect(samples["test_open", ["version": "2"]] == 1)
    }

    @Test func collectorsRunBeforeEachExposition() {
        let exporter = MetricsExporter(descriptions: Self.descriptions)
        let open = Gauge(label: "test_open", dimensions: [], factory: exporter.factory)
        let reads = Counter(label: "test_requests_total", dimensions: [], factory: exporter.factory)
        exporter.addCollector { reads.increment() }
        exporter.addCollector { open.record(42) }
        _ = exporter.exposition()
        let samples = PrometheusSamples(exporter.exposition())
        #expect(samples["test_requests_total"] == 2)
        #expect(samples["test_open"] == 42)
    }

    /// The standard process metrics, read from /proc at the scrape, with plausible values.
    @Test func processMetricsAreReadAtEachScrape() {
        let exporter = MetricsExporter(descriptions: ProcessMetrics.descriptions)
        ProcessMetrics.register(in: exporter)
        var burn = 0.0
        for index in 0..<2_000_000 { burn += Double(index).squareRoot() }
        let samples = PrometheusSamples(exporter.exposition())
        #expect(burn > 0)
        #expect((samples["process_cpu_seconds_total"] ?? 0) > 0)
        #expect((samples["process_resident_memory_bytes"] ?? 0) > 1_000_000)
        #expect((samples["process_virtual_memory_bytes"] ?? 0) >= (samples["process_resident_memory_bytes"] ?? .infinity))
        #expect((samples["process_open_fds"] ?? 0) >= 3)
        #expect((samples["process_max_fds"] ?? 0) >= (samples["process_open_fds"] ?? .infinity))
        let now = Double(time(nil))
        let start = samples["process_start_time_seconds"] ?? 0
        #expect(start <= now + 1 && start > now - 86_400, "start \(start), now \(now)")
        #expect(samples.types["process_cpu_seconds_total"] == "counter")
        let later = PrometheusSamples(exporter.exposition())
        #expect((later["process_cpu_seconds_total"] ?? 0) >= (samples["process_cpu_seconds_total"] ?? .infinity))
    }
}
