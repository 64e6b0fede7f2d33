import CoreMetrics
import Locking
package import Prometheus

/// One Prometheus registry with its swift-metrics factory, and the text a scrape of `/metrics` answers.
///
/// Most metrics are updated as things happen, through ``factory``. Values that are cheaper to read when asked for
/// (open connections, the process's memory and CPU time) are read by collectors that ``exposition()`` runs first.
/// Each process or test makes its own exporter, so tests need not share swift-metrics' global `MetricsSystem`,
/// which can be bootstrapped once per process.
///
/// Threading: every method may be called from any thread.
package final class MetricsExporter: Sendable {
    /// The `Content-Type` of ``exposition()``: the Prometheus text format, version 0.0.4.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The registry the metrics live in.
    package let registry: PrometheusCollectorRegistry
    /// Makes metrics in ``registry`` with the help text and buckets of their descriptions.
    package let factory: DescribedMetricsFactory
    private let collectors = Lock<[@Sendable () -> Void]>([])

    /// - Parameter descriptions: help text and buckets of the metrics that will be made through ``factory``.
    package init(descriptions: [MetricDescription]) {
        registry = PrometheusCollectorRegistry()
        factory = DescribedMetricsFactory(registry: registry, descriptions: descriptions)
    }

    /// Runs `collect` at the start of every ``exposition()``, to set metrics that are read rather than counted.
    package func addCollector(_ collect: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(collect) }
    }

    /// Every metric in the Prometheus text exposition format, after running the collectors.
    package func exposition() -> [UInt8] {
        for collect in collectors.withLock({ $0 }) { collect() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }
}
