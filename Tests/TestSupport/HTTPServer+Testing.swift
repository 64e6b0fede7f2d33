package import Dispatch
package import HTTP1
package import HTTPServerCore
package import Logging

/// Serves `handler` from an ``HTTPServer`` on `127.0.0.1` and an ephemeral port (the `host` and `port` of
/// `configuration` are replaced), runs `body` with the running server, then always stops the server.
///
/// The stop is bounded: in-flight requests get 500 ms to drain, and the server must report itself stopped within
/// `stopTimeout`, else this throws ``LiveServerError/didNotStop(after:)`` (an error `body` threw takes precedence).
package func withLiveServer<T>(
    _ configuration: HTTPServer.Configuration = HTTPServer.Configuration(),
    handler: any HTTPHandler,
    logger: Logger = quietLogger,
    stopTimeout: Duration = .seconds(10),
    _ body: (HTTPServer) throws -> T
) throws -> T {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = 0
    let server = HTTPServer(configuration: configuration, handler: handler, logger: logger)
    try server.start()
    let result = Result { try body(server) }
    let stopped = server.stopAndWait(drainTimeout: .milliseconds(500), timeout: stopTimeout)
    let value = try result.get()
    guard stopped else { throw LiveServerError.didNotStop(after: stopTimeout) }
    return value
}

/// Why ``withLiveServer(_:handler:logger:stopTimeout:_:)`` failed after its body succeeded.
package enum LiveServerError: Error, CustomStringConvertible {
    /// The server had not reported itself stopped this long after `stop` was called.
    case didNotStop(after: Duration)

    package var description: String {
        switch self {
        case .didNotStop(let timeout): "the server did not report itself stopped within \(timeout) of stop()"
        }
    }
}

extension HTTPServer {
    /// Stops the server and blocks the calling (test) thread until it reports itself stopped, or `timeout` passes.
    /// Returns whether it stopped in time.
    @discardableResult
    package func stopAndWait(drainTimeout: Duration, timeout: Duration = .seconds(10)) -> Bool {
        let done = DispatchSemaphore(value: 0)
        stop(drainTimeout: drainTimeout) { done.signal() }
        return done.wait(timeout: .after(timeout.scaled)) == .success
    }
}

extension DispatchTime {
    /// The time `duration` from now.
    package static func after(_ duration: Duration) -> DispatchTime {
        let (seconds, attoseconds) = duration.components
        return .now() + .nanoseconds(Int(clamping: seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}
