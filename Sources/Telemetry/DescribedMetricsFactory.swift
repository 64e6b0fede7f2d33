package import CoreMetrics
package import Prometheus

/// A swift-metrics factory that makes Prometheus metrics in one registry, each with the help text and buckets
/// of its ``MetricDescription``.
///
/// Why not swift-prometheus's `PrometheusMetricsFactory`: it registers every metric with an empty help text, so
/// the exposition has no `# HELP` lines and `promtool check metrics` reports each metric ("no help text"); and a
/// registry refuses (traps) a second help text for a name, so the help cannot be added afterwards. Otherwise this
/// does what that factory does: counters, gauges (meters and non-aggregating recorders), value histograms
/// (aggregating recorders) and duration histograms (timers). A name without a description gets no help line and
/// `PrometheusMetricsFactory`'s default buckets.
///
/// Threading: a value type over a registry that may be used from any thread; the handles it makes too.
package struct DescribedMetricsFactory: MetricsFactory {
    /// The registry the metrics are made in and emitted from.
    package let registry: PrometheusCollectorRegistry
    private let descriptions: [String: MetricDescription]
    private static let defaults = PrometheusMetricsFactory()

    /// - Parameter descriptions: the metrics' help texts and buckets; a later one with the same name wins.
    package init(registry: PrometheusCollectorRegistry, descriptions: [MetricDescription]) {
        self.registry = registry
        self.descriptions = Dictionary(descriptions.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
    }

    /// The registry's name for `name`, carrying its help text.
    private func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: descriptions[name]?.help ?? "")
    }

    private func valueBuckets(_ name: String) -> [Double] {
        guard let buckets = descriptions[name]?.buckets, !buckets.isEmpty else { return Self.defaults.defaultValueHistogramBuckets }
        return buckets
    }

    private func durationBuckets(_ name: String) -> [Duration] {
        guard let buckets = descriptions[name]?.buckets, !buckets.isEmpty else { return Self.defaults.defaultDurationHistogramBuckets }
        return buckets.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
    }

    package func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: valueBuckets(label))
    }

    package func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: durationBuckets(label))
    }

    package func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    package func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    package func destroyRecorder(_ handler: any RecorderHandler) {
        switch handler {
        case let gauge as Prometheus.Gauge: registry.unregisterGauge(gauge)
        case let histogram as ValueHistogram: registry.unregisterValueHistogram(histogram)
        default: break
        }
    }

    package func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    package func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
