public import Synchronization

/// Gathers the outputs of one submission, which may be computed in several passes or by
/// several workers, and completes it once: with every output, or with the first failure.
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
    @usableFromInline let state: Mutex<State>

    @inlinable
    init(count: Int, completion: @escaping BatchCompletion<Output>) {
        state = Mutex(State(outputs: Array(repeating: nil, count: count), batchSizes: Array(repeating: 0, count: count), remaining: count, completion: completion))
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
