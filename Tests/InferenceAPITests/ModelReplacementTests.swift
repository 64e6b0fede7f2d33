import Dispatch
import Foundation
import HTTP1
import Locking
import SentimentModel
import Testing

@testable import InferenceAPI

/// Replacing the served model while requests are in flight: each request finishes on the version it was admitted
/// with, whose checksum its answer carries, even when old and new requests share one pass.
struct ModelReplacementTests {
    static let classify = HTTPRequest(
        method: .POST, target: "/classify", headers: ["Content-Type": "application/json"], body: Array(#"{"tokens": [1, 5, 7]}"#.utf8))

    /// Hands `request` to `service` and returns a box that will hold the answer once the round ends.
    func admit(_ service: InferenceService) -> Lock<HTTPResponse?> {
        let answer = Lock<HTTPResponse?>(nil)
        service.handle(Self.classify, context: RequestContext(remoteAddress: "test", connectionID: 1, receivedAt: .now)) { response in
            answer.withLock { $0 = response }
        }
        return answer
    }

    func sha256(of response: HTTPResponse?) -> String? {
        let text = String(decoding: response?.body ?? [], as: UTF8.self)
        guard let range = text.range(of: #""sha256":""#) else { return nil }
        return String(text[range.upperBound...].prefix(64))
    }

    @Test func admittedRequestsFinishOnTheirVersion_NewOnesGetTheNext_InOnePass() throws {
        let old = StubModel(sha256: String(repeating: "a", count: 64))
        let new = StubModel(sha256: String(repeating: "b", count: 64))
        let service = InferenceService(model: old)
        let before = admit(service)
        let replaced = try #require(service.replaceModel(new))
        #expect(replaced.version == 2 && service.loaded === replaced)
        let after = admit(service)
        service.roundEnded()  // both requests were gathered on this thread: one pass of two, across the versions

        #expect(sha256(of: before.withLock { $0 }) == old.sha256)
        #expect(sha256(of: after.withLock { $0 }) == new.sha256)
        #expect(old.recordedPasses.map { $0.map(\.ids) } == [[[1, 5, 7]]], "the old version ran its request")
        #expect(new.recordedPasses.map { $0.map(\.ids) } == [[[1, 5, 7]]], "the new version ran its request")
        #expect(before.withLock { $0?.headers["X-Batch-Size"] } == "2")
    }

    @Test func theInfoRouteShowsTheVersionAndWhenItWasLoaded() async throws {
        let service = InferenceService(model: StubModel())
        let first = service.loaded
        service.replaceModel(StubModel(sha256: String(repeating: "c", count: 64)))
        let request = HTTPRequest(method: .GET, target: "/v1/models/stub", headers: [:], body: [])
        let response = await withCheckedContinuation { continuation in
            service.handle(request, context: RequestContext(remoteAddress: "test", connectionID: 1, receivedAt: .now)) {
                continuation.resume(returning: $0)
            }
        }
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains(#""version":2"#) && text.contains(String(repeating: "c", count: 64)))
        #expect(text.contains(#""loaded_at":"\#(Timestamp.rfc3339(service.loaded.loadedAt))""#))
        #expect(service.loaded.loadedAt >= first.loadedAt)
        #expect(Timestamp.rfc3339(0) == "1970-01-01T00:00:00.000Z" && Timestamp.rfc3339(1_765_000_000.25) == "2025-12-06T05:46:40.250Z")
    }
}
