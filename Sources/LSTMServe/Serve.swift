import ArgumentParser
import Batching
import Dispatch
import FoundationEssentials
import Glibc
import HTTP1
import HTTPServerCore
import InferenceAPI
import Logging
import SentimentModel

/// `lstm-serve` / `lstm-serve serve`: load the model, then answer HTTP until SIGTERM or SIGINT.
///
/// Every option falls back to an `LSTM_SERVE_<NAME>` environment variable, then to its default.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the classifier over HTTP (the default command).",
        discussion:
            """
            Every option can also be set with an environment variable: LSTM_SERVE_ and the option's name in capitals \
            with underscores, e.g. LSTM_SERVE_PORT=9000. Without a vocabulary (--vocab, or one beside the checkpoint) \
            the server answers token requests only. GET / is a playground page for trying the model in a browser.
            """
    )

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tlsOptions: TLSOptions
    @Option(help: "Address to bind. Default: \(Defaults.http.host). [LSTM_SERVE_HOST]")
    var host: String?
    @Option(help: "Port to bind (0 picks a free one). Default: \(Defaults.http.port). [LSTM_SERVE_PORT]")
    var port: Int?
    @Option(
        help:
            """
            How requests share forward passes: inline (each I/O thread runs the requests it read together as one \
            pass, itself) or batch (whole passes on a worker thread). Default: \(Defaults.batching.scheduling.rawValue). \
            [LSTM_SERVE_SCHEDULER]
            """
    )
    var scheduler: String?
    @Option(help: "Most sequences in one forward pass. Default: \(Defaults.batching.maxBatchSize). [LSTM_SERVE_MAX_BATCH_SIZE]")
    var maxBatchSize: Int?
    @Option(
        help:
            """
            --scheduler batch: microseconds an idle worker waits to fill a batch. Default: \(Defaults.batching.maxBatchDelayMicroseconds). \
            [LSTM_SERVE_MAX_BATCH_DELAY_US]
            """
    )
    var maxBatchDelayUs: Int?
    @Option(
        help:
            """
            Most sequences waiting for a pass (inline: on one I/O thread); beyond it 503. Default: \(Defaults.batching.maxQueueSize). \
            [LSTM_SERVE_MAX_QUEUE]
            """
    )
    var maxQueue: Int?
    @Option(
        help:
            """
            --scheduler batch: milliseconds a request may wait for a pass; beyond it 504. Default: \(Defaults.service.requestTimeoutMilliseconds). \
            [LSTM_SERVE_REQUEST_TIMEOUT_MS]
            """
    )
    var requestTimeoutMs: Int?
    @Option(
        help:
            """
            Most texts or token sequences in one request; beyond it 422. Default: \(Defaults.service.maxItemsPerRequest). \
            [LSTM_SERVE_MAX_ITEMS_PER_REQUEST]
            """
    )
    var maxItemsPerRequest: Int?
    @Option(help: "Largest request body in bytes; beyond it 413. Default: \(Defaults.http.limits.maxBodyBytes). [LSTM_SERVE_MAX_BODY_BYTES]")
    var maxBodyBytes: Int?
    @Option(
        help:
            """
            Largest request line plus headers in bytes; beyond it 431. Default: \(Defaults.http.limits.maxHeaderBytes). \
            [LSTM_SERVE_MAX_HEADER_BYTES]
            """
    )
    var maxHeaderBytes: Int?
    @Option(
        help:
            """
            Milliseconds to receive a request head; beyond it 408 and close. Default: \(Defaults.http.headerReadTimeout.wholeMilliseconds). \
            [LSTM_SERVE_HEADER_TIMEOUT_MS]
            """
    )
    var headerTimeoutMs: Int?
    @Option(
        help:
            "Seconds an idle keep-alive connection stays open. Default: \(Defaults.http.idleTimeout.components.seconds). [LSTM_SERVE_IDLE_TIMEOUT_S]")
    var idleTimeoutS: Int?
    @Option(
        help:
            """
            I/O threads serving the connections (assigned round-robin), at most \(InferenceService.inlineLanes). \
            Default: the number of cores. [LSTM_SERVE_IO_THREADS]
            """
    )
    var ioThreads: Int?
    @Option(help: "Most open connections. Default: \(Defaults.http.maxConnections). [LSTM_SERVE_MAX_CONNECTIONS]")
    var maxConnections: Int?
    @Option(
        help: """
            Seconds to keep accepting and serving after SIGTERM/SIGINT while /readyz answers 503, so load balancers \
            take the server out of rotation first. Default: \(Defaults.drainDelaySeconds). [LSTM_SERVE_DRAIN_DELAY_S]
            """)
    var drainDelayS: Int?
    @Option(
        help: """
            Seconds, once it stops accepting, to finish the requests that have started to arrive. \
            Default: \(Defaults.drainTimeoutSeconds). [LSTM_SERVE_DRAIN_TIMEOUT_S]
            """)
    var drainTimeoutS: Int?
    @Option(
        help: """
            Seconds between checks of the checkpoint and vocabulary files; a change reloads them (SIGHUP always does). \
            0: no checks. Default: 0. [LSTM_SERVE_WATCH_INTERVAL_S]
            """)
    var watchIntervalS: Int?
    @Option(help: "Log lines as text (for a terminal) or json (one object a line, for collectors). Default: text. [LSTM_SERVE_LOG_FORMAT]")
    var logFormat: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. Default: \(Defaults.logLevel). [LSTM_SERVE_LOG_LEVEL]")
    var logLevel: String?

    /// The scheduler choices, for messages.
    private static let schedulerNames = BatchingConfiguration.Scheduling.allCases.map(\.rawValue).joined(separator: ", ")

    /// The defaults of every option: the configuration types' own, so they are written once.
    enum Defaults {
        static let http = HTTPServer.Configuration()
        static let service = ServiceConfiguration()
        static let batching = service.batching
        static let drainTimeoutSeconds = 10
        /// 0 for a terminal; orchestrators set it above their readiness probe's period (deploy/kubernetes).
        static let drainDelaySeconds = 0
        static let logLevel = Logger.Level.info
    }

    func run() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        let level = try Environment.resolve(logLevel, "LOG_LEVEL", default: Defaults.logLevel.rawValue)
        guard let logLevel = Logger.Level(rawValue: level) else { throw ValidationError("unknown log level '\(level)'") }
        let format = try Environment.resolve(logFormat, "LOG_FORMAT", default: "text")
        guard format == "text" || format == "json" else { throw ValidationError("--log-format must be text or json (got '\(format)')") }
        var configuredLogger =
            format == "json" ? Logger(label: "lstm-serve", factory: { JSONLogHandler(label: $0) }) : Logger(label: "lstm-serve")
        configuredLogger.logLevel = logLevel
        let logger = configuredLogger
        let signals = ProcessSignals(logger: logger)
        let tls = try tlsOptions.load()
        logger.info("loading the model")

        // Fail fast: a bad model exits non-zero before the port is bound.
        let specs = try modelOptions.specs()
        let bundles = try specs.map { try modelOptions.load($0) }
        let bundle = bundles[0]
        let loadMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6

        let schedulerName = try Environment.resolve(scheduler, "SCHEDULER", default: Defaults.batching.scheduling.rawValue)
        guard let scheduling = BatchingConfiguration.Scheduling(rawValue: schedulerName) else {
            throw ValidationError(
                "--scheduler must be one of: \(Self.schedulerNames) (got '\(schedulerName)')"
            )
        }
        let batching = BatchingConfiguration(
            scheduling: scheduling,
            maxBatchSize: try positive(
                Environment.resolve(maxBatchSize, "MAX_BATCH_SIZE", default: Defaults.batching.maxBatchSize), "--max-batch-size"),
            maxBatchDelayMicroseconds: try nonNegative(
                Environment.resolve(maxBatchDelayUs, "MAX_BATCH_DELAY_US", default: Defaults.batching.maxBatchDelayMicroseconds),
                "--max-batch-delay-us"),
            maxQueueSize: try positive(Environment.resolve(maxQueue, "MAX_QUEUE", default: Defaults.batching.maxQueueSize), "--max-queue"))
        let metrics = ServeMetrics.bootstrap()
        let service = InferenceService(
            models: zip(specs, bundles).map { spec, bundle in (spec.name, bundle) },
            configuration: ServiceConfiguration(
                batching: batching,
                maxItemsPerRequest: try positive(
                    Environment.resolve(maxItemsPerRequest, "MAX_ITEMS_PER_REQUEST", default: Defaults.service.maxItemsPerRequest),
                    "--max-items-per-request"),
                requestTimeoutMilliseconds: try positive(
                    Environment.resolve(requestTimeoutMs, "REQUEST_TIMEOUT_MS", default: Defaults.service.requestTimeoutMilliseconds),
                    "--request-timeout-ms")),
            metrics: metrics.factory, exposition: metrics.exposition)

        var configuration = Defaults.http
        configuration.host = try Environment.resolve(host, "HOST", default: Defaults.http.host)
        configuration.port = try Environment.resolve(port, "PORT", default: Defaults.http.port)
        configuration.limits.maxBodyBytes = try positive(
            Environment.resolve(maxBodyBytes, "MAX_BODY_BYTES", default: Defaults.http.limits.maxBodyBytes), "--max-body-bytes")
        configuration.limits.maxHeaderBytes = try positive(
            Environment.resolve(maxHeaderBytes, "MAX_HEADER_BYTES", default: Defaults.http.limits.maxHeaderBytes), "--max-header-bytes")
        configuration.headerReadTimeout = .milliseconds(
            try positive(
                Environment.resolve(headerTimeoutMs, "HEADER_TIMEOUT_MS", default: Defaults.http.headerReadTimeout.wholeMilliseconds),
                "--header-timeout-ms"))
        configuration.idleTimeout = .seconds(
            try positive(
                Environment.resolve(idleTimeoutS, "IDLE_TIMEOUT_S", default: Int(Defaults.http.idleTimeout.components.seconds)), "--idle-timeout-s"))
        configuration.maxConnections = try positive(
            Environment.resolve(maxConnections, "MAX_CONNECTIONS", default: Defaults.http.maxConnections), "--max-connections")
        configuration.ioThreadCount = try ioThreadCount()
        configuration.accessLogHeaders = ["X-Batch-Size"]
        configuration.tls = tls
        configuration.tlsHandshakeTimeout = configuration.headerReadTimeout
        let drainTimeout = try nonNegative(
            Environment.resolve(drainTimeoutS, "DRAIN_TIMEOUT_S", default: Defaults.drainTimeoutSeconds), "--drain-timeout-s")
        let drainDelay = try nonNegative(
            Environment.resolve(drainDelayS, "DRAIN_DELAY_S", default: Defaults.drainDelaySeconds), "--drain-delay-s")
        guard (0...65_535).contains(configuration.port) else { throw ValidationError("--port must be in 0...65535") }

        let watchInterval = try nonNegative(Environment.resolve(watchIntervalS, "WATCH_INTERVAL_S", default: 0), "--watch-interval-s")
        let options = modelOptions
        let reloaders = specs.map { spec in
            ModelReloader(
                service: service, name: spec.name, logger: logger, files: { try options.files(of: spec) }, load: { try options.load(spec) })
        }
        signals.onReload {
            for reloader in reloaders { reloader.reload(reason: "SIGHUP") }
            tls?.reload(reason: "SIGHUP", logger: logger)
        }
        if watchInterval > 0 { for reloader in reloaders { reloader.watch(every: .seconds(watchInterval)) } }

        FileDescriptorLimit.raise(for: configuration.maxConnections, logger: logger)
        let handler = LimitNamingHandler(
            ContentCodingHandler(service, configuration: .init(maxDecodedBodyBytes: configuration.limits.maxBodyBytes)),
            limits: configuration.limits, headerReadTimeout: configuration.headerReadTimeout, bodyReadTimeout: configuration.bodyReadTimeout)
        let server = HTTPServer(configuration: configuration, handler: handler, logger: logger)
        metrics.observe(server)
        signals.onShutdown { signal in
            // /readyz answers 503 from now on, on every connection; the server keeps serving for the delay, so a
            // balancer that probes it takes it out of rotation before it stops accepting.
            service.beginDraining()
            server.announceShutdown()
            logger.info(
                "shutting down", metadata: ["signal": "\(signal)", "drain_delay_s": "\(drainDelay)", "drain_timeout_s": "\(drainTimeout)"])
            let stop: @Sendable () -> Void = {
                logger.info("no longer accepting; finishing the requests that have started")
                server.stop(drainTimeout: .seconds(drainTimeout)) {
                    logger.info("shutdown complete")
                    Glibc.exit(0)
                }
            }
            guard drainDelay > 0 else { return stop() }
            // A thread of its own, not a Dispatch timer: that needs a timerfd, which a server out of file
            // descriptors cannot make. Without a thread, the wait holds the signal queue, which has nothing else to do.
            let delayedStop: @Sendable () -> Void = {
                DetachedThread.sleep(for: .seconds(drainDelay))
                stop()
            }
            if !DetachedThread.start(name: "drain-delay", delayedStop) { delayedStop() }
        }
        do {
            try server.start()
        } catch {
            throw CommandFailure("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        logger.info(
            "serving",
            metadata: [
                "model": "\(specs[0].name)", "sha256": "\(bundle.sha256)", "checkpoint": "\(bundle.checkpointURL.path)",
                "models": "\(zip(specs, bundles).map { "\($0.name)=\($1.checkpointURL.lastPathComponent)" }.joined(separator: ","))",
                "parameters": "\(bundle.classifier.architecture.parameterCount)", "text": "\(bundle.vocabulary != nil)",
                "kernel": "\(bundle.classifier.kernel)", "scheduler": "\(scheduling.rawValue)",
                "load_ms": "\((loadMilliseconds * 10).rounded() / 10)", "address": "\(configuration.host):\(server.localPort)",
                "tls": "\(tls.map { "\($0.certificate)" } ?? "off")",
            ])

        // Park the main thread; the shutdown action exits the process. Not `dispatchMain()`: nothing runs on the main
        // queue, and as the main thread leaves, libdispatch makes the main queue an eventfd, and traps if the process
        // is out of descriptors by then (seen under a burst of connections).
        withExtendedLifetime(signals) {
            while true { pause() }
        }
    }

    /// At most one I/O thread per inline lane, so that no two I/O threads share one.
    private func ioThreadCount() throws -> Int {
        let count = try positive(
            Environment.resolve(ioThreads, "IO_THREADS", default: min(HTTPServer.Configuration.activeProcessorCount, InferenceService.inlineLanes)),
            "--io-threads")
        guard count <= InferenceService.inlineLanes else {
            throw ValidationError("--io-threads must be at most \(InferenceService.inlineLanes), got \(count)")
        }
        return count
    }

    private func positive(_ value: Int, _ name: String) throws -> Int {
        guard value > 0 else { throw ValidationError("\(name) must be positive, got \(value)") }
        return value
    }

    private func nonNegative(_ value: Int, _ name: String) throws -> Int {
        guard value >= 0 else { throw ValidationError("\(name) must not be negative, got \(value)") }
        return value
    }
}
