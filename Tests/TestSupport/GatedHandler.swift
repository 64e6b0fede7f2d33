import Dispatch
import Foundation
package import HTTP1

/// Wraps a handler so a test can order itself against a server with signals instead of sleeps.
///
/// Every request goes to the wrapped handler, except those to `heldPath`: they stay unanswered until
/// ``release()``, then are answered `200` with their target as text. Once a request has been handed on (the
/// wrapped handler's `handle` returned) or held, ``waitUntilReceived(timeout:)`` returns once for it.
///
/// Threading: any thread; the held requests sit behind a lock.
package final class GatedHandler: HTTPHandler, @unchecked Sendable {  // `held` and `released` are only touched under `lock`.
    private let inner: any HTTPHandler
    private let heldPath: String?
    private let received = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var held: [(target: String, respond: @Sendable (HTTPResponse) -> Void)] = []
    private var released = false

    /// Wraps `inner`, holding requests whose path is `heldPath` (none when `nil`).
    package init(_ inner: any HTTPHandler, holding heldPath: String? = nil) {
        self.inner = inner
        self.heldPath = heldPath
    }

    package func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        defer { received.signal() }
        guard request.path == heldPath else { return inner.handle(request, context: context, respond: respond) }
        let answerNow = lock.withLock {
            if !released { held.append((request.head.target, respond)) }
            return released
        }
        if answerNow { respond(HTTPResponse(text: request.head.target)) }
    }

    package func roundEnded() { inner.roundEnded() }

    package func response(for refusal: HTTPRefusal) -> HTTPResponse { inner.response(for: refusal) }

    /// Blocks until one more request has been handed on or held, or `timeout` passes; returns whether one was.
    package func waitUntilReceived(timeout: Duration = .seconds(10)) -> Bool {
        received.wait(timeout: .after(timeout.scaled)) == .success
    }

    /// Answers the held requests, and from now on answers requests to `heldPath` at once.
    package func release() {
        let answers = lock.withLock {
            released = true
            defer { held = [] }
            return held
        }
        for (target, respond) in answers { respond(HTTPResponse(text: target)) }
    }
}
