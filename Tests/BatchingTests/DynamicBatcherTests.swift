import Dispatch
import Foundation
import Locking
import Testing

@testable import Batching

/// The batcher on real threads: concurrent submissions share passes and get their own results.
///
/// The tests order themselves with semaphores the batcher's queue signals, never with sleeps, and
/// every wait has a deadline: a batcher that loses work fails a test instead of hanging it.
struct DynamicBatcherTests {
    /// Each submission's result, by a number the test gives it; signals once per completion.
    final class Results: Sendable {
        private let results = Lock<[Int: Result<BatchResult<Int>, BatchingError>]>([:])
        private let completed = DispatchSemaphore(value: 0)

        func record(_ id: Int) -> BatchCompletion<Int> {
            { result in
                self.results.withLock { $0[id] = result }
                self.completed.signal()
            }
        }

        /// Whether `count` more completions came within `seconds`.
        func waitForCompletions(_ count: Int, seconds: Int = 10) -> Bool {
            let deadline = DispatchTime.now() + .seconds(seconds)
            return (0..<count).allSatisfy { _ in completed.wait(timeout: deadline) == .success }
        }

        subscript(id: Int) -> Result<BatchResult<Int>, BatchingError>? { results.withLock { $0[id] } }

        /// The error submission `id` failed with, or nil if it succeeded or is not complete.
        func error(_ id: Int) -> BatchingError? {
            guard case .failure(let error) = self[id] else { return nil }
            return error
        }
    }

    @Test func concurrentSubmissionsShareFewPassesAndGetTheirOwnResults() throws {
        let passes = Lock<[Int]>([])
        let heldPassStarted = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let batcher = DynamicBatcher<Int, Int>(configuration: .init(maxBatchSize: 16)) { inputs in
            passes.withLock { $0.append(inputs.count) }
            if inputs == [-1] {  // hold the first pass so the others queue up behind it
                heldPassStarted.signal()
                _ = gate.wait(timeout: .now() + 30)
            }
            return inputs.map { $0 * 10 }
        }
        let results = Results()
        batcher.submit([-1], timeout: 10_000_000_000, completion: results.record(-1))
        try #require(heldPassStarted.wait(timeout: .now() + 10) == .success, "the first pass never started")

        DispatchQueue.concurrentPerform(iterations: 40) { value in
            batcher.submit([value, value + 1000], timeout: 10_000_000_000, completion: results.record(value))
        }
        // `submit` queues before it returns, so all 80 sequences wait behind the held pass now.
        #expect(batcher.queuedCount == 80)
        gate.signal()
        try #require(results.waitForCompletions(41), "not every submission was completed")
        for value in 0..<40 {
            let result = try #require(try results[value]?.get())
            #expect(result.outputs == [value * 10, (value + 1000) * 10])
            #expect(result.batchSizes.allSatisfy { $0 == 16 })
        }
        // 80 queued sequences at 16 a pass: exactly 5 passes after the held one.
        #expect(passes.withLock { $0 } == [1, 16, 16, 16, 16, 16])
    }

    @Test func aFullQueueRefusesAndATimedOutItemFails() throws {
        let heldPassStarted = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let batcher = DynamicBatcher<Int, Int>(configuration: .init(maxBatchSize: 1, maxQueueSize: 1)) { inputs in
            if inputs == [0] {
                heldPassStarted.signal()
                _ = gate.wait(timeout: .now() + 30)
            }
            return inputs
        }
        let results = Results()
        batcher.submit([0], timeout: 10_000_000_000, completion: results.record(0))
        try #require(heldPassStarted.wait(timeout: .now() + 10) == .success, "the first pass never started")
        // A timeout of 0: item 1's deadline is the instant it is queued, so it has passed by the time any pass could
        // take it, with no waiting here.
        batcher.submit([1], timeout: 0, completion: results.record(1))
        #expect(batcher.queuedCount == 1)
        batcher.submit([2], timeout: 10_000_000_000, completion: results.record(2))
        #expect(results.error(2) == .queueFull, "the full queue took item 2")
        gate.signal()
        try #require(results.waitForCompletions(3), "not every submission was completed")
        #expect(try results[0]?.get().outputs == [0])
        #expect(results.error(1) == .timedOut, "item 1 outlived its timeout")
    }

    /// A timeout too long to add to the clock means none, not one already past.
    @Test func theLongestTimeoutNeverExpires() throws {
        let batcher = DynamicBatcher<Int, Int>(configuration: .init(maxBatchSize: 4)) { $0 }
        let results = Results()
        batcher.submit([7], timeout: .max, completion: results.record(7))
        try #require(results.waitForCompletions(1), "the submission was never completed")
        #expect(try results[7]?.get().outputs == [7])
    }

    @Test func aDelayWindowHoldsALoneItem() throws {
        let batcher = DynamicBatcher<Int, Int>(configuration: .init(maxBatchSize: 4, maxBatchDelayMicroseconds: 200_000)) { $0 }
        let results = Results()
        let started = ContinuousClock.now
        batcher.submit([1], timeout: 10_000_000_000, completion: results.record(1))
        try #require(results.waitForCompletions(1), "the submission was never completed")
        #expect(ContinuousClock.now - started >= .milliseconds(190))
        #expect(try results[1]?.get().outputs == [1])
    }

    @Test func aBatchThatFillsDuringTheWindowRunsWithoutWaitingForItsEnd() throws {
        let passes = Lock<[Int]>([])
        let windowWaiting = DispatchSemaphore(value: 0)
        // A 10 s window: a full batch that waited for the window's end would show as a 10 s pass.
        let batcher = DynamicBatcher<Int, Int>(
            configuration: .init(maxBatchSize: 4, maxBatchDelayMicroseconds: 10_000_000),
            windowWillWait: { windowWaiting.signal() },
            process: { inputs in
                passes.withLock { $0.append(inputs.count) }
                return inputs
            })
        // Times come from the completions, which run on the batcher's queue: busy test threads
        // (other suites run in parallel) cannot stretch them.
        let answered = Lock<[ContinuousClock.Instant]>([])
        let done = DispatchSemaphore(value: 0)
        let record: BatchCompletion<Int> = { _ in
            answered.withLock { $0.append(.now) }
            done.signal()
        }
        batcher.submit([2], timeout: 60_000_000_000, completion: record)
        try #require(windowWaiting.wait(timeout: .now() + 10) == .success, "no delay window began for the lone item")
        let filled = ContinuousClock.now
        batcher.submit([3, 4, 5], timeout: 60_000_000_000, completion: record)
        try #require(done.wait(timeout: .now() + 30) == .success && done.wait(timeout: .now() + 30) == .success, "a submission was never completed")
        #expect(answered.withLock { $0 }.allSatisfy { $0 - filled < .seconds(5) })
        #expect(passes.withLock { $0 } == [4])
    }
}
