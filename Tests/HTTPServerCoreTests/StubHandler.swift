import Dispatch
import HTTP1
import HTTPServerCore
import Logging

/// Routes for server tests: `/echo` returns the body, `/delay?ms=N` answers after N ms from another queue,
/// `/text` returns `hello`, `/big?n=N` returns N bytes cycling through `a`...`z`, anything else 404.
/// The server's own refusals are rendered as `refused: <the refusal>`, in `text/x-refusal`, so tests
/// see that the server asked the handler for the body.
struct StubHandler: HTTPHandler {
    func response(for refusal: HTTPRefusal) -> HTTPResponse {
        HTTPResponse(status: refusal.status, contentType: "text/x-refusal", body: Array("refused: \(refusal)".utf8))
    }

    func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        switch request.path {
        case "/echo":
            respond(HTTPResponse(headers: ["X-Method": request.method.rawValue, "X-Target": request.head.target], body: request.body))
        case "/delay":
            let milliseconds = Int(request.query?.split(separator: "=").last ?? "0") ?? 0
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
                respond(HTTPResponse(text: request.head.target))
            }
        case "/big":
            let count = Int(request.query?.split(separator: "=").last ?? "0") ?? 0
            // A copy of the alphabet at a time, not a closure per byte: under --sanitize=thread the closure
            // made two 4 MB bodies take longer than the client's 5-second read timeout.
            let alphabet = Array("abcdefghijklmnopqrstuvwxyz".utf8)
            var body: [UInt8] = []
            body.reserveCapacity(count)
            while body.count < count { body += alphabet.prefix(count - body.count) }
            respond(HTTPResponse(body: body))
        case "/text":
            respond(HTTPResponse(text: "hello"))
        default:
            respond(HTTPResponse(status: .notFound, text: "not found"))
        }
    }
}

/// A logger that drops everything, so test output stays readable.
let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// Starts a server on 127.0.0.1 with an ephemeral port, runs `body`, then stops the server.
func withServer(
    _ configuration: HTTPServer.Configuration = HTTPServer.Configuration(),
    handler: any HTTPHandler = StubHandler(),
    _ body: (HTTPServer, Int) throws -> Void
) throws {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = 0
    let server = HTTPServer(configuration: configuration, handler: handler, logger: quietLogger)
    try server.start()
    defer { server.stopAndWait(drainTimeout: .milliseconds(500)) }
    try body(server, server.localPort)
}

extension HTTPServer {
    /// Stops and blocks the (test) thread until the server reports it stopped, or 10 s pass. Returns whether it stopped.
    @discardableResult
    func stopAndWait(drainTimeout: Duration) -> Bool {
        let done = DispatchSemaphore(value: 0)
        stop(drainTimeout: drainTimeout) { done.signal() }
        return done.wait(timeout: .now() + 10) == .success
    }
}
