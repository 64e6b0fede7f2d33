import HTTPServerCore
import InferenceAPI
import SentimentModel
import TestSupport

/// The real service behind the real server on `127.0.0.1` and an ephemeral port, for one live-only test.
///
/// Use ``run(model:service:http:_:)``: it builds the service and serves it with TestSupport's `withLiveServer`,
/// which always stops the server afterwards with a bounded wait. Tests that also make sense in-process take a
/// `TestTransport` and use `InferenceService.test(_:http:_:)` instead.
struct LiveServer {
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
        let service = InferenceService(model: model, configuration: configuration)
        return try withLiveServer(http, handler: service) { try body(LiveServer(server: $0, service: service)) }
    }
}
