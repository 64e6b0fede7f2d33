/// The one seam between the HTTP server and the application.
///
/// The server calls ``handle(_:context:respond:)`` on a connection's I/O thread; the handler must not block it.
/// It may call `respond` exactly once, on any thread and at any later time (for example from an inference queue).
/// Responses to pipelined requests are written in request order whatever order `respond` is called in.
///
/// Lives in `HTTP1` rather than the server's module so the application module can implement it without importing sockets.
package protocol HTTPHandler: Sendable {
    /// Handles one complete request and eventually calls `respond` once with its response.
    func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void)

    /// Called on a thread that has called ``handle(_:context:respond:)``, once it has handled every event that was
    /// ready together, before it waits for more: the end of a round. A handler that gathers a thread's work across a
    /// round (to batch it) runs it here; responses given to `respond` now are written in the same round. Writing them
    /// can release pipelined requests held back behind them, so it is called again, as often as that happens, before
    /// the thread waits. It must not block beyond that work. The default does nothing.
    func roundEnded()

    /// The response to a request the server refused itself, before or instead of handing it to
    /// ``handle(_:context:respond:)``: the application renders it in its own words. The status must be
    /// `refusal.status`; the server closes the connection after its own refusals (see ``HTTPRefusal``). The default is
    /// a plain-text body with the refusal's ``HTTPRefusal/headers``.
    func response(for refusal: HTTPRefusal) -> HTTPResponse
}

extension HTTPHandler {
    package func roundEnded() {}

    package func response(for refusal: HTTPRefusal) -> HTTPResponse {
        var response = HTTPResponse(status: refusal.status, text: refusal.message + "\n")
        for (name, value) in refusal.headers { response.headers.add(name: name, value: value) }
        return response
    }
}

/// Facts about a request that are not in the message itself.
package struct RequestContext: Sendable {
    /// The peer address as `host:port` (IPv6 as `[addr]:port`), or `"unknown"`.
    package var remoteAddress: String
    /// A number unique to the connection within one server run, for log correlation.
    package var connectionID: UInt64
    /// When the server finished reading the request.
    package var receivedAt: ContinuousClock.Instant
    /// The request's id: the client's `X-Request-Id` when it is a reasonable one, else one the server made. The server
    /// echoes it in the response and logs it with the response's access line.
    package var requestID: String

    /// Creates a context.
    package init(remoteAddress: String, connectionID: UInt64, receivedAt: ContinuousClock.Instant, requestID: String = "") {
        self.remoteAddress = remoteAddress
        self.connectionID = connectionID
        self.receivedAt = receivedAt
        self.requestID = requestID
    }
}
