import Dispatch
import Foundation
package import HTTP1
package import HTTPServerCore

/// How a request test reaches the handler under test: one test body, two transports, after Hummingbird's
/// `Application+Test` (`app.test(.router)` and `app.test(.live)`).
package enum TestTransport: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Straight into the handler on the test's thread, as an I/O thread calls it: `handle`, then `roundEnded`.
    /// No server and no socket, so the server's own limits and framing do not apply.
    case inProcess
    /// Over a new loopback connection per request to a live ``HTTPServer`` (see ``withLiveServer(_:handler:logger:stopTimeout:_:)``).
    case live

    package var description: String { rawValue }
}

/// Sends requests to the handler a test runs against; see ``HTTPHandler/test(_:http:_:)``.
package protocol TestClient {
    /// Sends `request` and returns its final response; throws when none comes within the client's timeout (10 s).
    func execute(_ request: TestRequest) throws -> RawResponse
}

extension TestClient {
    /// Sends `method target` with these header lines and body.
    package func execute(_ method: String, _ target: String, headers: [String] = [], body: String? = nil) throws -> RawResponse {
        try execute(TestRequest(method, target, headers: headers, body: body))
    }
}

extension HTTPHandler {
    /// Runs `body` with a client that reaches this handler over `transport`.
    /// - Parameter http: the live server's configuration; in-process requests meet none of its limits.
    package func test<T>(
        _ transport: TestTransport, http: HTTPServer.Configuration = HTTPServer.Configuration(), _ body: (any TestClient) throws -> T
    ) throws -> T {
        switch transport {
        case .inProcess: try body(InProcessClient(handler: self))
        case .live: try withLiveServer(http, handler: self) { try body(LiveClient(port: $0.localPort)) }
        }
    }
}

/// Why a ``TestClient`` returned no response.
package enum TestClientError: Error, CustomStringConvertible {
    /// The handler had not called `respond` this long after `handle`.
    case noResponse(TestRequest, after: Duration)

    package var description: String {
        switch self {
        case .noResponse(let request, let timeout): "the handler did not answer \(request) within \(timeout)"
        }
    }
}

/// Calls the handler as an I/O thread does and waits, bounded, for `respond`, which may come from any thread.
private struct InProcessClient: TestClient {
    let handler: any HTTPHandler
    let timeout: Duration = .seconds(10).scaled

    func execute(_ request: TestRequest) throws -> RawResponse {
        let answer = Answer()
        let context = RequestContext(remoteAddress: "127.0.0.1:1", connectionID: 1, receivedAt: .now)
        handler.handle(request.httpRequest, context: context) { answer.give($0) }
        handler.roundEnded()
        guard let response = answer.wait(timeout) else { throw TestClientError.noResponse(request, after: timeout) }
        return RawResponse(
            status: response.status.code, statusLine: "HTTP/1.1 \(response.status)",
            headers: response.headers.map { (name: $0.name, value: $0.value) }, body: response.body)
    }

    /// The response a handler gives, from whichever thread gives it.
    private final class Answer: @unchecked Sendable {  // `response` is only touched under `lock`.
        private let lock = NSLock()
        private let given = DispatchSemaphore(value: 0)
        private var response: HTTPResponse?

        func give(_ response: HTTPResponse) {
            lock.withLock { self.response = response }
            given.signal()
        }

        func wait(_ timeout: Duration) -> HTTPResponse? {
            guard given.wait(timeout: .after(timeout)) == .success else { return nil }
            return lock.withLock { response }
        }
    }
}

/// Sends each request on a new connection to a live server and reads the final response.
private struct LiveClient: TestClient {
    let port: Int

    func execute(_ request: TestRequest) throws -> RawResponse {
        try RawHTTPClient(port: port, timeout: .seconds(10)).exchange(request.wireText, bodyless: request.method == "HEAD")
    }
}
