import Dispatch
import Glibc
import Synchronization
import Testing

@testable import Batching

/// The step-level batcher on real threads, with a batch whose steps the test can hold.
/// A regression that stops a worker would leave a wait below spinning: the time limit turns it into a failure.
@Suite(.timeLimit(.minutes(1)))
struct ContinuousBatcherTests {
    /// A job that takes `steps` steps and answers `id * 10`.
    struct Job: Sendable, Equatable {
        let id: Int
        let steps: Int
    }

    /// A running batch of countdowns; before each step it calls `willStep` with the ids in it.
    final class CountdownBatch: SteppedBatch {
        private struct Row {
            let tag: Int
            let job: Job
            var left: Int
            var peak = 0
        }
        let capacity: Int
        private var rows: [Row] = []
        private let willStep: @Sendable ([Int]) -> Void

        init(capacity: Int, willStep: @escaping @Sendable ([Int]) -> Void) {
            self.capacity = capacity
            self.willStep = willStep
        }

        var count: Int { rows.count }

        func add(_ input: Job, tag: Int) {
            precondition(rows.count < capacity)
            rows.append(Row(tag: tag, job: input, left: input.steps))
        }

        func step(_ finished: (Int, Int, Int) -> Void) {
            willStep(rows.map(\.job.id))
            let size = rows.count
            for index in rows.indices {
                rows[index].left -= 1
                rows[index].peak = max(rows[index].peak, size)
            }
            for row in rows where row.left <= 0 { finished(row.tag, row.job.id * 10, row.peak) }
            rows.removeAll { $0.left <= 0 }
        }
    }

    @Test func everySubmissionGetsItsOwnOutputsAndRowsShareSteps() async throws {
        let batcher = ContinuousBatcher(workers: 2, maxQueueSize: 1_024) { CountdownBatch(capacity: 8) { _ in } }
        let results = try await withThrowingTaskGroup(of: (Int, BatchResult<Int>).self) { group in
            for value in 0..<50 {
                group.addTask { (value, try await Self.submit(batcher, [Job(id: value, steps: 1 + value % 7), Job(id: value + 1000, steps: 3)])) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 50)
        for (value, result) in results {
            #expect(result.outputs == [value * 10, (value + 1000) * 10])
            #expect(result.batchSizes.allSatisfy { (1...8).contains($0) })
        }
        #expect(results.values.contains { $0.batchSizes.contains { $0 > 1 } })
        #expect(batcher.queuedCount == 0)
    }

    /// A timeout too long to add to the clock means none, not one already past.
    @Test func theLongestTimeoutNeverExpires() async throws {
        let batcher = ContinuousBatcher(workers: 1, maxQueueSize: 16) { CountdownBatch(capacity: 4) { _ in } }
        #expect(try await Self.submit(batcher, [Job(id: 3, steps: 2)], timeout: .max).outputs == [30])
    }

    @Test func aShortJobFinishesWhileALongOneIsStillRunning() async throws {
        // One worker: the long job and the short one share its running batch.
        let stepsSeen = Mutex<[[Int]]>([])
        let gate = DispatchSemaphore(value: 0)
        let batcher = ContinuousBatcher(workers: 1, maxQueueSize: 16) {
            CountdownBatch(capacity: 4) { ids in
                let first = stepsSeen.withLock { steps in
                    steps.append(ids)
                    return steps.count == 1
                }
                if first { gate.wait() }  // hold the first step, with only the long job in it
            }
        }
        let long = Task { try await Self.submit(batcher, [Job(id: 1, steps: 1_000)]) }
        while stepsSeen.withLock({ $0.isEmpty }) { await Task.yield() }
        let short = Task { try await Self.submit(batcher, [Job(id: 2, steps: 2)]) }
        while batcher.queuedCount < 1 { await Task.yield() }
        gate.signal()
        let shortResult = try await short.value
        #expect(shortResult.outputs == [20])
        #expect(shortResult.batchSizes == [2])
        // The short job joined at the second step and left after its own two; the long one ran on alone.
        let longResult = try await long.value
        #expect(longResult.outputs == [10])
        let steps = stepsSeen.withLock { $0 }
        #expect(steps.count == 1_000)
        #expect(Array(steps.prefix(4)) == [[1], [1, 2], [1, 2], [1]])
    }

    /// Blocks the worker that steps a batch holding exactly job `id`, until ``release()``.
    final class StepHold: Sendable {
        let id: Int
        private let gate = DispatchSemaphore(value: 0)
        private let held = Atomic<Bool>(false)
        private let released = Atomic<Bool>(false)

        init(id: Int) { self.id = id }

        /// The batch's `willStep`.
        func willStep(_ ids: [Int]) {
            guard ids == [id] else { return }
            held.store(true, ordering: .sequentiallyConsistent)
            gate.wait()
        }

        /// Returns once a worker is blocked in that step.
        func waitUntilHeld() async {
            while !held.load(ordering: .sequentiallyConsistent) { await Task.yield() }
        }

        /// Lets the worker go; later calls do nothing, so a test can also call it in a `defer`.
        func release() {
            if !released.exchange(true, ordering: .sequentiallyConsistent) { gate.signal() }
        }
    }

    @Test func aSecondWorkerServesWhileTheFirstIsHeld() async throws {
        let hold = StepHold(id: 1)
        let batcher = ContinuousBatcher(workers: 2, maxQueueSize: 16) { CountdownBatch(capacity: 1, willStep: hold.willStep) }
        let first = Task { try await Self.submit(batcher, [Job(id: 1, steps: 1)]) }
        await hold.waitUntilHeld()
        defer { hold.release() }
        // The first worker is blocked inside a step; the second takes this one.
        #expect(try await Self.submit(batcher, [Job(id: 2, steps: 3)]).outputs == [20])
        hold.release()
        #expect(try await first.value.outputs == [10])
    }

    @Test func aSubmissionLargerThanOneBatchSpreadsOverIdleWorkers() async throws {
        // Two workers of two rows; one submission of eight jobs. Each batch records who stepped it;
        // steps take 0.2 ms, so one worker alone would need 40 ms: ample time for the second to start.
        let steppedBy = Mutex<Set<ObjectIdentifier>>([])
        final class Box: Sendable {}
        let batcher = ContinuousBatcher(workers: 2, maxQueueSize: 16) {
            let identity = Box()
            return CountdownBatch(capacity: 2) { _ in
                steppedBy.withLock { _ = $0.insert(ObjectIdentifier(identity)) }
                usleep(200)
            }
        }
        let jobs = (0..<8).map { Job(id: $0, steps: 50) }
        #expect(try await Self.submit(batcher, jobs).outputs == (0..<8).map { $0 * 10 })
        #expect(steppedBy.withLock { $0.count } == 2, "the second worker never ran")
    }

    @Test func aFullQueueRefusesATimedOutItemFailsAndShutdownRefuses() async throws {
        let hold = StepHold(id: 0)
        let batcher = ContinuousBatcher(workers: 1, maxQueueSize: 1) { CountdownBatch(capacity: 1, willStep: hold.willStep) }
        let running = Task { try await Self.submit(batcher, [Job(id: 0, steps: 1)]) }
        await hold.waitUntilHeld()
        defer { hold.release() }
        let waiting = Task { try await Self.submit(batcher, [Job(id: 1, steps: 1)], timeout: 1_000_000) }
        while batcher.queuedCount < 1 { await Task.yield() }
        await #expect(throws: BatchingError.queueFull) { try await Self.submit(batcher, [Job(id: 2, steps: 1)]) }
        try await Task.sleep(for: .milliseconds(5))  // item 1's deadline passes while the batch is held
        hold.release()
        #expect(try await running.value.outputs == [0])
        await #expect(throws: BatchingError.timedOut) { try await waiting.value }
        // The worker went idle after the expiry; new work wakes it.
        #expect(try await Self.submit(batcher, [Job(id: 3, steps: 2)]).outputs == [30])
        batcher.stopAccepting()
        await #expect(throws: BatchingError.shuttingDown) { try await Self.submit(batcher, [Job(id: 4, steps: 1)]) }
    }

    private static func submit(
        _ batcher: ContinuousBatcher<CountdownBatch>, _ inputs: [Job], timeout: UInt64 = 10_000_000_000
    ) async throws -> BatchResult<Int> {
        try await withCheckedThrowingContinuation { continuation in
            batcher.submit(inputs, timeout: timeout) { continuation.resume(with: $0) }
        }
    }
}
