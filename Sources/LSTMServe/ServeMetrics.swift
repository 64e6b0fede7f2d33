import CoreMetrics
import HTTPServerCore
import InferenceAPI
import Telemetry

/// The server process's metrics: the service's, the HTTP server's open connections, the model reloads and the
/// standard process metrics, in one Prometheus registry that `GET /metrics` exposes.
struct ServeMetrics {
    /// Help texts and buckets of every metric the process exposes.
    static let descriptions =
        InferenceService.metricDescriptions + ProcessMetrics.descriptions + [
            MetricDescription("lstm_serve_http_connections_open", help: "HTTP connections open now."),
            MetricDescription("lstm_serve_model_reloads_total", help: "Model reloads, by outcome: success (a new version in service) or failure."),
        ]

    private let exporter: MetricsExporter

    /// Makes the registry and bootstraps swift-metrics' global factory with its factory, so that code which uses
    /// the global (``ModelReloader``) records into the same registry. Once per process, before any metric is made.
    static func bootstrap() -> ServeMetrics {
        let exporter = MetricsExporter(descriptions: descriptions)
        MetricsSystem.bootstrap(exporter.factory)
        ProcessMetrics.register(in: exporter)
        return ServeMetrics(exporter: exporter)
    }

    /// The factory the service makes its metrics with.
    var factory: any MetricsFactory { exporter.factory }

    /// The text `GET /metrics` answers with.
    var exposition: @Sendable () -> [UInt8] { { [exporter] in exporter.exposition() } }

    /// Reads `server`'s open connections at each scrape: nothing is counted per connection.
    func observe(_ server: HTTPServer) {
        let open = Gauge(label: "lstm_serve_http_connections_open", dimensions: [], factory: exporter.factory)
        exporter.addCollector { [weak server] in open.record(server?.openConnectionCount ?? 0) }
    }
}
