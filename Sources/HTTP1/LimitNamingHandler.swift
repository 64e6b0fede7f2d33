/// Names the limit in the server's limit refusals: in front of an application's ``HTTPHandler``, it hands the
/// application's ``HTTPHandler/response(for:)`` a 413, 431 or 408 as ``HTTPRefusal/limitExceeded(_:)`` with the
/// configured value, so its message can say "larger than the limit of 1048576 bytes" rather than "too large".
///
/// The server reports these events without values (``HTTPRefusal/malformed(_:)``, ``HTTPRefusal/headTimeout``,
/// ``HTTPRefusal/bodyTimeout``); given the same limits the server was configured with, this makes the message exact.
/// Requests pass through untouched. Threading: as the handler it wraps.
package struct LimitNamingHandler: HTTPHandler {
    private let inner: any HTTPHandler
    private let limits: HTTPLimits
    private let headerReadTimeout: Duration
    private let bodyReadTimeout: Duration

    /// Wraps `inner`; pass the limits and read timeouts the server enforces.
    package init(_ inner: any HTTPHandler, limits: HTTPLimits, headerReadTimeout: Duration, bodyReadTimeout: Duration) {
        self.inner = inner
        self.limits = limits
        self.headerReadTimeout = headerReadTimeout
        self.bodyReadTimeout = bodyReadTimeout
    }

    package func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        inner.handle(request, context: context, respond: respond)
    }

    package func roundEnded() {
        inner.roundEnded()
    }

    package func response(for refusal: HTTPRefusal) -> HTTPResponse {
        inner.response(for: refusal.namingLimit(limits, headerReadTimeout: headerReadTimeout, bodyReadTimeout: bodyReadTimeout))
    }
}
