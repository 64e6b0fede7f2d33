import Dispatch
import Foundation
import Locking
import Testing

@testable import Batching

/// Passes on the submitting threads: nothing runs until the lane's ``InlineBatcher/runPending(lane:)``
/// (or, for the calling thread's lane, ``InlineBatcher/runPending()``),
/// which runs the lane's work there, oldest first, in passes of at most `maxBatchSize`.
struct InlineBatcherTests {
    /// Every completion, in the order they came.
    final class Completions: Sendable {
        private let results = Lock<[(label: String, result: Result<BatchResult<Int>, BatchingError>)]>([])

        func record(_ label: String) -> BatchCompletion<Int> {
            { result in self.results.withLock { $0.append((label, result)) } }
        }

        var labels: [String] { results.withLock { $0.map(\.label) } }

        func outputs(_ label: String) -> [Int]? {
            results.withLock { results in try? results.first { $0.label == label }?.result.get().outputs }
        }

        func batchSizes(_ label: String) -> [Int]? {
            results.withLock { results in try? results.first { $0.label == label }?.result.get().batchSizes }
        }

        func error(_ label: String) -> BatchingError? {
            results.withLock { results in
                guard case .failure(let error) = results.first(where: { $0.label == label })?.result else { return nil }
                return error
            }
        }
    }

    /// The inputs of every pass, in order.
    final class Passes: Sendable {
        private let passes = Lock<[[Int]]>([])

        func append(_ inputs: [Int]) { passes.withLock { $0.append(inputs) } }

        var all: [[Int]] { passes.withLock { $0 } }
    }

    /// A batcher that multiplies by 10 and records each pass's inputs.
    static func makeBatcher(lanes: Int = 2, maxBatchSize: Int = 64, maxQueueSize: Int = 1_024) -> (InlineBatcher<Int, Int>, Passes) {
        let passes = Passes()
        let batcher = InlineBatcher<Int, Int>(lanes: lanes, maxBatchSize: maxBatchSize, maxQueueSize: maxQueueSize) { inputs in
            passes.append(inputs)
            return inputs.map { $0 * 10 }
        }
        return (batcher, passes)
    }

    @Test func submissionsWaitForTheirLane_ThenShareOnePass_InOrder() {
        let (batcher, passes) = Self.makeBatcher()
        let done = Completions()
        batcher.submit([1, 2], timeout: 0, lane: 0, completion: done.record("a"))
        batcher.submit([3], timeout: 0, lane: 0, completion: done.record("b"))
        batcher.submit([4], timeout: 0, lane: 1, completion: done.record("c"))
        #expect(done.labels.isEmpty && batcher.queuedCount == 4)

        batcher.runPending(lane: 0)
        #expect(passes.all == [[1, 2, 3]])
        #expect(done.labels == ["a", "b"])
        #expect(done.outputs("a") == [10, 20] && done.outputs("b") == [30])
        #expect(done.batchSizes("a") == [3, 3])
        #expect(batcher.queuedCount == 1)

        batcher.runPending(lane: 0)  // nothing left there: no pass
        #expect(passes.all.count == 1)
        batcher.runPending(lane: 1)
        #expect(passes.all == [[1, 2, 3], [4]])
        #expect(done.outputs("c") == [40] && batcher.queuedCount == 0)
    }

    @Test func moreThanMaxBatchSize_RunsInSeveralPasses_OldestFirst() {
        let (batcher, passes) = Self.makeBatcher(maxBatchSize: 4)
        let done = Completions()
        batcher.submit([1, 2, 3], timeout: 0, lane: 0, completion: done.record("a"))
        batcher.submit([4, 5, 6, 7, 8, 9], timeout: 0, lane: 0, completion: done.record("b"))
        batcher.runPending(lane: 0)
        #expect(passes.all == [[1, 2, 3, 4], [5, 6, 7, 8], [9]])
        #expect(done.outputs("b") == [40, 50, 60, 70, 80, 90])
        #expect(done.batchSizes("b") == [4, 4, 4, 4, 4, 1])
    }

    @Test func aLaneOverItsQueueLimit_RefusesTheWholeSubmission_AtOnce() {
        let (batcher, passes) = Self.makeBatcher(maxQueueSize: 3)
        let done = Completions()
        batcher.submit([1, 2], timeout: 0, lane: 0, completion: done.record("fits"))
        batcher.submit([3, 4], timeout: 0, lane: 0, completion: done.record("too many"))
        batcher.submit([5, 6, 7], timeout: 0, lane: 1, completion: done.record("other lane"))
        #expect(done.labels == ["too many"] && done.error("too many") == .queueFull)
        batcher.runPending(lane: 0)
        batcher.runPending(lane: 1)
        #expect(passes.all == [[1, 2], [5, 6, 7]])
        #expect(done.outputs("fits") == [10, 20] && done.outputs("other lane") == [50, 60, 70])
    }

    /// Without a lane, a submission goes to the calling thread's lane: that thread's
    /// ``InlineBatcher/runPending()`` runs it, and another thread's does not.
    @Test func submissionsWithoutALane_RunOnTheThreadThatSubmitted() {
        let (batcher, passes) = Self.makeBatcher(lanes: 64)
        let done = Completions()
        batcher.submit([1], timeout: 0, completion: done.record("here"))
        let ran = DispatchSemaphore(value: 0)
        Thread {
            batcher.runPending()
            ran.signal()
        }.start()
        #expect(ran.wait(timeout: .now() + 10) == .success, "the other thread's runPending did not return")
        #expect(passes.all.isEmpty && done.labels.isEmpty)
        batcher.runPending()
        #expect(passes.all == [[1]] && done.outputs("here") == [10])
    }

    @Test func emptySubmissions_CompleteAtOnce_AndLaneNumbersWrapAround() {
        let (batcher, passes) = Self.makeBatcher(lanes: 2)
        let done = Completions()
        batcher.submit([], timeout: 0, lane: 0, completion: done.record("empty"))
        #expect(done.outputs("empty") == [] && passes.all.isEmpty)

        batcher.submit([1], timeout: 0, lane: 3, completion: done.record("three"))
        batcher.submit([2], timeout: 0, lane: -1, completion: done.record("minus one"))
        batcher.runPending(lane: 1)  // 3 and -1 are lane 1
        #expect(passes.all == [[1, 2]])
        #expect(done.outputs("three") == [10] && done.outputs("minus one") == [20])
    }

    /// Each submission's outputs, and how many submissions were completed more than once.
    final class Ledger: Sendable {
        private let state = Lock<(outputs: [Int: [Int]], repeated: Int)>(([:], 0))

        func record(_ id: Int, _ outputs: [Int]) {
            state.withLock { state in
                if state.outputs[id] != nil { state.repeated += 1 }
                state.outputs[id] = outputs
            }
        }

        var outputs: [Int: [Int]] { state.withLock { $0.outputs } }
        var repeated: Int { state.withLock { $0.repeated } }
    }

    /// Lanes used by several threads at once (as when I/O threads outnumber lanes): every
    /// submission is completed once, with its own outputs, whichever thread ran it.
    @Test func concurrentThreadsSharingLanes_CompleteEverySubmissionOnce() async {
        let (batcher, _) = Self.makeBatcher(lanes: 2, maxBatchSize: 8)
        let ledger = Ledger()
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<4 {
                group.addTask {
                    for round in 0..<200 {
                        let id = thread * 1_000 + round
                        batcher.submit([id, id + 1], timeout: 0, lane: thread) { result in
                            if let outputs = try? result.get().outputs { ledger.record(id, outputs) }
                        }
                        batcher.runPending(lane: thread)
                    }
                }
            }
        }
        for lane in 0..<2 { batcher.runPending(lane: lane) }
        let all = ledger.outputs
        #expect(all.count == 800 && ledger.repeated == 0)
        #expect(all.allSatisfy { id, outputs in outputs == [id * 10, (id + 1) * 10] })
        #expect(batcher.queuedCount == 0)
    }
}
