import Dispatch
import Foundation
import Locking
import Synchronization
import Testing

@testable import Batching

/// The batcher on real threads: concurrent submissions share passes and get their own results.
struct DynamicBatcherTests {
    @Test func concurrentSubmissionsShareFewPassesAndGetTheirOwnResults() async throws {
        let passes = Lock<[Int]>([])
        let gate = DispatchSemaphore(value: 0)
        let batcher = DynamicBatcher<Int, Int>(configuration: .init(maxBatchSize: 16)) { inputs in
            passes.withLock { $0.append(inputs.count) }
            if inputs == [-1] { gate.wait() }  // hold the first pass so the others queue up
            return inputs.map { $0 * 10 }
        }
        let first = Task { try await Self.submit(batcher, [-1]) }
        while passes.withLock({ $0.isEmpty }) { await Task.yield() }

        let results = try await withThrowingTaskGroup(of: (Int, BatchResult<Int>).self) { group in
            for value in 0..<40 {
                group.addTask { (value, try await Self.submit(batcher, [value, value + 1000])) }
            }
            while batcher.queuedCount < 80 { await Task.yield() }
            gate.signal()
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        _ = try await first.value
        for (value, result) in results {
            #expect(result.outputs == [value * 10, (value + 1000) * 10])
        }
        // 80 queued sequences at 16 a pass: exactly 5 passes after the held one.
        #expect(passes.withLock { $0 } == [1, 16, 16, 16, 16, 16])
        #expect(results.values.allSatisfy { $0.batchSizes.allSatisfy { $0 == 16 } })
    }

    @Test func aFullQueueRefusesAndATimedOutItemFails() async throws {
        let gate = DispatchSemaphore(value: 0)
        let started = Atomic<Bool>(false)
        let batcher = DynamicBatcher<Int, Int>(configuration: .init(maxBatchSize: 1, maxQueueSize: 1)) { inputs in
            started.store(true, ordering: .sequentiallyConsistent)
            if inputs == [0] { gate.wait() }
            return inputs
        }
        let running = Task { try await Self.submit(batcher, [0]) }
        while !started.load(ordering: .sequentiallyConsistent) { await Task.yield() }
        let waiting = Task { try await Self.submit(batcher, [1], timeout: 1_000_000) }
        while batcher.queuedCount < 1 { await Task.yield() }
        await #expect(throws: BatchingError.queueFull) { try await Self.submit(batcher, [2]) }
        try await Task.sleep(for: .milliseconds(5))  // let item 1's deadline pass while the pass is held
        gate.signal()
        _ = try await running.value
        await #expect(throws: BatchingError.timedOut) { try await waiting.value }
    }

    /// A timeout too long to add to the clock means none, not one already past.
    @Test func theLongestTimeoutNeverExpires() async throws {
        let batcher = DynamicBatcher<Int, Int>(configuration: .init(maxBatchSize: 4)) { $0 }
        #expect(try await Self.submit(batcher, [7], timeout: .max).outputs == [7])
    }

    @Test func aDelayWindowHoldsALoneItem() async throws {
        let batcher = DynamicBatcher<Int, Int>(configuration: .init(maxBatchSize: 4, maxBatchDelayMicroseconds: 200_000)) { $0 }
        let started = ContinuousClock.now
        _ = try await Self.submit(batcher, [1])
        #expect(ContinuousClock.now - started >= .milliseconds(190))
    }

    @Test func aBatchThatFillsDuringTheWindowRunsWithoutWaitingForItsEnd() throws {
        let passes = Lock<[Int]>([])
        // A 10 s window: a full batch that waited for the window's end would show as a 10 s pass.
        let batcher = DynamicBatcher<Int, Int>(configuration: .init(maxBatchSize: 4, maxBatchDelayMicroseconds: 10_000_000)) { inputs in
            passes.withLock { $0.append(inputs.count) }
            return inputs
        }
        // Times come from the completions, which run on the batcher's queue: busy test threads
        // (other suites run in parallel) cannot stretch them.
        let answered = Lock<[ContinuousClock.Instant]>([])
        let done = DispatchSemaphore(value: 0)
        let record: BatchCompletion<Int> = { _ in
            answered.withLock { $0.append(.now) }
            done.signal()
        }
        batcher.submit([2], timeout: 60_000_000_000, completion: record)
        while batcher.queuedCount < 1 { usleep(1_000) }
        usleep(20_000)  // the window is waiting now
        let filled = ContinuousClock.now
        batcher.submit([3, 4, 5], timeout: 60_000_000_000, completion: record)
        #expect(done.wait(timeout: .now() + 30) == .success && done.wait(timeout: .now() + 30) == .success)
        #expect(answered.withLock { $0 }.allSatisfy { $0 - filled < .seconds(5) })
        #expect(passes.withLock { $0 } == [4])
    }

    private static func submit(_ batcher: DynamicBatcher<Int, Int>, _ inputs: [Int], timeout: UInt64 = 10_000_000_000) async throws -> BatchResult<Int> {
        try await withCheckedThrowingContinuation { continuation in
            batcher.submit(inputs, timeout: timeout) { continuation.resume(with: $0) }
        }
    }
}
