import Dispatch
import HTTPServerCore
import InferenceAPI
import Logging
import SentimentModel
import TestSupport

/// The real service behind the real server on `127.0.0.1` and an ephemeral port, for one test.
///
/// Use ``run(model:service:http:_:)``: it starts the server, hands it to the test, and always stops it afterwards.
struct LiveServer {
    /// A logger that drops everything, so test output stays readable.
    static let quietLogger = Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The running server.
    let server: HTTPServer
    /// The handler it serves.
    let service: InferenceService

    /// The bound ephemeral port.
    var port: Int { server.localPort }

    /// A new connection to the server; every read gives up after `timeout`.
    func connect(timeout: Duration = .seconds(5)) throws -> RawHTTPClient {
        try RawHTTPClient(port: port, timeout: timeout)
    }

    /// Sends one request on a new connection and returns the final response.
    func exchange(_ request: String, bodyless: Bool = false) throws -> RawResponse {
        try connect().exchange(request, bodyless: bodyless)
    }

    /// Starts a server for `model` with the given settings, runs `body`, then stops the server (bounded wait).
    /// `host` and `port` of `http` are replaced by `127.0.0.1` and `0`.
    static func run<T>(
        model: ModelBundle = BundledModel.bundle,
        service configuration: ServiceConfiguration = ServiceConfiguration(),
        http: HTTPServer.Configuration = HTTPServer.Configuration(),
        _ body: (LiveServer) throws -> T
    ) throws -> T {
        var http = http
        http.host = "127.0.0.1"
        http.port = 0
        let service = InferenceService(model: model, configuration: configuration)
        let server = HTTPServer(configuration: http, handler: service, logger: quietLogger)
        try server.start()
        defer {
            let stopped = DispatchSemaphore(value: 0)
            server.stop(drainTimeout: .milliseconds(500)) { stopped.signal() }
            _ = stopped.wait(timeout: .now() + 10)
        }
        return try body(LiveServer(server: server, service: service))
    }
}
