import Batching
import Dispatch
import Foundation
import InferenceAPI
import Locking
import TestSupport
import Testing

extension EndToEnd {
    /// Item 3: concurrent clients are batched together, and batching never changes a score.
    @Suite("Dynamic batching over sockets")
    struct ConcurrentBatchingTests {
        /// What one client thread saw.
        struct Outcome: Sendable {
            let index: Int
            let response: Result<RawResponse, RawHTTPClientError>
        }

        /// The outcomes the client threads append to.
        final class OutcomeLog: Sendable {
            private let outcomes = Lock<[Outcome]>([])

            func append(_ outcome: Outcome) {
                outcomes.withLock { $0.append(outcome) }
            }

            /// Every outcome, by client index.
            var sorted: [Outcome] { outcomes.withLock { $0 }.sorted { $0.index < $1.index } }
        }

        @Test(arguments: BatchingConfiguration.Scheduling.allCases)
        func sixtyFourConcurrentClientsAreBatched_AndEveryScoreEqualsTheUnbatchedScore(scheduling: BatchingConfiguration.Scheduling) throws {
            let reviews = Fixtures.reviews
            try #require(reviews.count == 64 && Set(reviews).count == 64)
            let expected = try reviews.map(Fixtures.unbatchedScore)
            // Whole batches on a worker: a 5 ms window makes grouping certain even when all 64 requests
            // do not land within one forward pass.
            let batching = BatchingConfiguration(scheduling: scheduling, maxBatchSize: 64, maxBatchDelayMicroseconds: 5_000, maxQueueSize: 1_024)
            let outcomes = try LiveServer.run(service: ServiceConfiguration(batching: batching)) { server in
                try Self.runClients(port: server.port, requests: reviews.map { HTTPFeatureTests.classifyText($0) })
            }

            try #require(outcomes.count == reviews.count)
            var batchSizes: [Int] = []
            for outcome in outcomes {
                let response: RawResponse
                switch outcome.response {
                case .success(let value): response = value
                case .failure(let error):
                    Issue.record("client \(outcome.index) failed: \(error)")
                    continue
                }
                #expect(response.status == 200, "client \(outcome.index)")
                batchSizes.append(Int(response.header("X-Batch-Size") ?? "") ?? 0)
                let score = response.rawNumbers(for: "score").first
                #expect(score == expected[outcome.index].description, "client \(outcome.index): \(reviews[outcome.index])")
                #expect(score.flatMap { Float($0) }?.bitPattern == expected[outcome.index].bitPattern)
                #expect(response.json["label"] as? String == (expected[outcome.index] >= 0.5 ? "positive" : "negative"))
            }
            #expect((batchSizes.max() ?? 0) > 1, "batch sizes seen: \(batchSizes)")
            #expect(batchSizes.allSatisfy { (1...64).contains($0) })
        }

        /// Opens one connection per request on its own thread, releases all the sends at once, and collects the responses.
        static func runClients(port: Int, requests: [String]) throws -> [Outcome] {
            let outcomes = OutcomeLog()
            let connected = DispatchSemaphore(value: 0)
            let start = DispatchSemaphore(value: 0)
            let finished = DispatchGroup()
            for (index, request) in requests.enumerated() {
                finished.enter()
                let thread = Thread {
                    defer { finished.leave() }
                    let response: Result<RawResponse, RawHTTPClientError>
                    do {
                        let client = try RawHTTPClient(port: port, timeout: .seconds(15))
                        connected.signal()
                        _ = start.wait(timeout: .now() + 15)
                        response = .success(try client.exchange(request))
                    } catch let error as RawHTTPClientError {
                        connected.signal()
                        response = .failure(error)
                    } catch {
                        connected.signal()
                        response = .failure(.malformed("\(error)"))
                    }
                    outcomes.append(Outcome(index: index, response: response))
                }
                thread.start()
            }
            for _ in requests {
                guard connected.wait(timeout: .now() + 15) == .success else { break }
            }
            for _ in requests { start.signal() }
            guard finished.wait(timeout: .now() + 30) == .success else {
                throw RawHTTPClientError.timedOut(partial: "not every client finished within 30 s")
            }
            return outcomes.sorted
        }
    }
}
