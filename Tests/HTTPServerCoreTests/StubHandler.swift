import Dispatch
import HTTP1
import HTTPServerCore
import TestSupport

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

/// Serves `handler` (``StubHandler`` by default) on 127.0.0.1 and an ephemeral port with TestSupport's
/// `withLiveServer`, runs `body` with the server and its port, then stops the server (bounded wait).
func withServer(
    _ configuration: HTTPServer.Configuration = HTTPServer.Configuration(),
    handler: any HTTPHandler = StubHandler(),
    _ body: (HTTPServer, Int) throws -> Void
) throws {
    try withLiveServer(configuration, handler: handler) { server in try body(server, server.localPort) }
}
