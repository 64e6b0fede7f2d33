package import Batching

/// Settings of the inference API. Every field has a documented default.
package struct ServiceConfiguration: Sendable {
    /// How requests are grouped into forward passes (`--max-batch-size`, `--max-batch-delay-us`, `--max-queue`).
    package var batching: BatchingConfiguration
    /// Most sequences one request may carry (`texts` or a batch of `tokens`); more is a 422. Default: 256.
    package var maxItemsPerRequest: Int
    /// How long a sequence may wait for a forward pass before the request fails with 504, in
    /// milliseconds (`--request-timeout-ms`). Default: 5,000. The inline scheduler has no wait to
    /// bound: a request's pass runs at the end of the round that read it.
    package var requestTimeoutMilliseconds: Int
    /// Seconds a client is told to wait (`Retry-After`) when the queue is full. Default: 1.
    package var retryAfterSeconds: Int

    package init(
        batching: BatchingConfiguration = .init(), maxItemsPerRequest: Int = 256,
        requestTimeoutMilliseconds: Int = 5_000, retryAfterSeconds: Int = 1
    ) {
        self.batching = batching
        self.maxItemsPerRequest = maxItemsPerRequest
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.retryAfterSeconds = retryAfterSeconds
    }
}
