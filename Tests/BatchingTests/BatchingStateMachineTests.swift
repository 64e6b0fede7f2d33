import Testing

@testable import Batching

/// The batching policy, driven by hand with instants in nanoseconds (no sleeping, no threads).
struct BatchingStateMachineTests {
    typealias Machine = BatchingStateMachine<Int>
    let never: UInt64 = .max

    private func batch(_ action: Machine.Action) -> [Int]? {
        if case .runBatch(let items) = action { return items }
        return nil
    }

    @Test func idleWorkerStartsTheFirstItemAtOnce() throws {
        var machine = Machine(configuration: .init(maxBatchSize: 4))
        #expect(batch(try machine.enqueue([1], deadline: never, now: 0)) == [1])
        #expect(machine.isRunning)
    }

    @Test func arrivalsDuringAPassGatherForTheNextOneUpToTheMaximum() throws {
        var machine = Machine(configuration: .init(maxBatchSize: 4))
        _ = try machine.enqueue([0], deadline: never, now: 0)
        for item in 1...6 {
            #expect(batch(try machine.enqueue([item], deadline: never, now: 10)) == nil)
        }
        #expect(batch(machine.batchFinished(now: 20)) == [1, 2, 3, 4])
        #expect(batch(machine.batchFinished(now: 30)) == [5, 6])
        #expect(batch(machine.batchFinished(now: 40)) == nil)
        #expect(!machine.isRunning)
    }

    @Test func batchDelayWaitsForMoreUntilFullOrDeadline() throws {
        var machine = Machine(configuration: .init(maxBatchSize: 3, maxBatchDelayMicroseconds: 100))
        guard case .startTimer(let deadline) = try machine.enqueue([1], deadline: never, now: 1_000) else {
            Issue.record("expected a timer")
            return
        }
        #expect(deadline == 101_000)
        #expect(batch(try machine.enqueue([2], deadline: never, now: 50_000)) == nil)
        #expect(batch(machine.deadlineReached(now: 101_000)) == [1, 2])
        // A full batch does not wait.
        _ = machine.batchFinished(now: 102_000)
        _ = try machine.enqueue([3, 4], deadline: never, now: 103_000)
        #expect(batch(try machine.enqueue([5], deadline: never, now: 104_000)) == [3, 4, 5])
    }

    @Test func queueLimitRefusesWholeSubmissions() throws {
        var machine = Machine(configuration: .init(maxBatchSize: 2, maxQueueSize: 3))
        _ = try machine.enqueue([0], deadline: never, now: 0)  // running, not queued
        _ = try machine.enqueue([1, 2], deadline: never, now: 0)
        #expect(throws: BatchingError.queueFull) { try machine.enqueue([3, 4], deadline: never, now: 0) }
        _ = try machine.enqueue([3], deadline: never, now: 0)
        #expect(machine.queuedCount == 3)
    }

    @Test func expiredItemsAreReportedNotRun() throws {
        var machine = Machine(configuration: .init(maxBatchSize: 8))
        _ = try machine.enqueue([0], deadline: never, now: 0)
        _ = try machine.enqueue([1, 2], deadline: 50, now: 10)
        _ = try machine.enqueue([3], deadline: 500, now: 20)
        #expect(batch(machine.batchFinished(now: 100)) == [3])
        #expect(machine.takeExpired() == [1, 2])
        #expect(machine.takeExpired() == [])
    }
}
