public import Locking

/// Gathers the outputs of one submission, which may be computed in several passes, and completes
/// it once: with every output, or with the first failure.
///
/// Inlinable, so that a caller that knows `Output` (``InlineBatcher``'s, specialized in the
/// module that uses it) runs specialized code rather than looking up generic metadata per call.
@usableFromInline
final class BatchSubmission<Output: Sendable>: Sendable {
    @usableFromInline
    struct State {
        @usableFromInline var outputs: [Output?]
        @usableFromInline var batchSizes: [Int]
        @usableFromInline var remaining: Int
        @usableFromInline var completion: BatchCompletion<Output>?

        @inlinable
        init(outputs: [Output?], batchSizes: [Int], remaining: Int, completion: BatchCompletion<Output>?) {
            self.outputs = outputs
            self.batchSizes = batchSizes
            self.remaining = remaining
            self.completion = completion
        }
    }
    @usableFromInline let state: Lock<State>

    @inlinable
    init(count: Int, completion: @escaping BatchCompletion<Output>) {
        state = Lock(
            State(
                outputs: Array(repeating: nil, count: count), batchSizes: Array(repeating: 0, count: count), remaining: count, completion: completion)
        )
    }

    @inlinable
    func deliver(_ output: Output, at index: Int, batchSize: Int) {
        let finished: (BatchCompletion<Output>, BatchResult<Output>)? = state.withLock { state in
            guard state.completion != nil else { return nil }
            state.outputs[index] = output
            state.batchSizes[index] = batchSize
            state.remaining -= 1
            guard state.remaining == 0, let completion = state.completion else { return nil }
            state.completion = nil
            return (completion, BatchResult(outputs: state.outputs.compactMap { $0 }, batchSizes: state.batchSizes))
        }
        if let (completion, result) = finished { completion(.success(result)) }
    }

    @inlinable
    func fail(_ error: BatchingError) {
        let completion: BatchCompletion<Output>? = state.withLock { state in
            defer { state.completion = nil }
            return state.completion
        }
        completion?(.failure(error))
    }
}

/// One input of a submission, waiting for a pass: what every batcher queues.
@usableFromInline
struct PendingInput<Input: Sendable, Output: Sendable>: Sendable {
    @usableFromInline let input: Input
    /// The input's position in its submission.
    @usableFromInline let index: Int
    @usableFromInline let submission: BatchSubmission<Output>

    @inlinable
    init(input: Input, index: Int, submission: BatchSubmission<Output>) {
        self.input = input
        self.index = index
        self.submission = submission
    }

    /// Appends one item per input of `submission` to `items`, in order. Plain loops here: where
    /// this code is not specialized for its caller, generic helpers cost metadata look-ups.
    @inlinable @inline(__always)
    static func append(_ inputs: [Input], of submission: BatchSubmission<Output>, to items: inout [PendingInput]) {
        for index in inputs.indices { items.append(PendingInput(input: inputs[index], index: index, submission: submission)) }
    }

    /// Runs `items[range]` through `process` as one pass and hands each its output, with the
    /// pass's size. (An array and a range, not a slice: slice accesses cost more retains here.)
    /// - Precondition: `process` returns one output per input, in order.
    @inlinable
    static func runPass(_ items: [PendingInput], _ range: Range<Int>, through process: ([Input]) -> [Output]) {
        var inputs: [Input] = []
        inputs.reserveCapacity(range.count)
        for index in range { inputs.append(items[index].input) }
        let outputs = process(inputs)
        precondition(outputs.count == inputs.count, "process returned \(outputs.count) outputs for \(inputs.count) inputs")
        for index in range {
            items[index].submission.deliver(outputs[index - range.lowerBound], at: items[index].index, batchSize: range.count)
        }
    }
}
