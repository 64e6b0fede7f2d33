/// The one seam between the HTTP server and the application.
///
/// The server calls ``handle(_:context:respond:)`` on a connection's I/O thread; the handler must not block it.
/// It may call `respond` exactly once, on any thread and at any later time (for example from an inference queue).
/// Responses to pipelined requests are written in request order whatever order `respond` is called in.
///
/// Lives in `HTTP1` rather than `HTTPServer` so the application module can implement it without importing sockets.
public protocol HTTPHandler: Sendable {
    /// Handles one complete request and eventually calls `respond` once with its response.
    func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void)

    /// Called on I/O thread `ioThread` once it has handled every event that was ready together, before it waits
    /// for more: the end of a round. A handler that gathers work across a round's requests (to batch it) runs it
    /// here, on the thread that read them; responses given to `respond` now are written in the same round. Writing
    /// them can release pipelined requests held back behind them, so it is called again, as often as that happens,
    /// before the thread waits. It must not block beyond that work. The default does nothing.
    func roundEnded(ioThread: Int)
}

extension HTTPHandler {
    public func roundEnded(ioThread: Int) {}
}

/// Facts about a request that are not in the message itself.
public struct RequestContext: Sendable {
    /// The peer address as `host:port` (IPv6 as `[addr]:port`), or `"unknown"`.
    public var remoteAddress: String
    /// A number unique to the connection within one server run, for log correlation.
    public var connectionID: UInt64
    /// When the server finished reading the request.
    public var receivedAt: ContinuousClock.Instant
    /// The index of the I/O thread that read the request and calls ``HTTPHandler/handle(_:context:respond:)``,
    /// in `0..<ioThreadCount`: the same number its ``HTTPHandler/roundEnded(ioThread:)`` calls carry.
    public var ioThread: Int

    /// Creates a context.
    public init(remoteAddress: String, connectionID: UInt64, receivedAt: ContinuousClock.Instant, ioThread: Int = 0) {
        self.remoteAddress = remoteAddress
        self.connectionID = connectionID
        self.receivedAt = receivedAt
        self.ioThread = ioThread
    }
}
