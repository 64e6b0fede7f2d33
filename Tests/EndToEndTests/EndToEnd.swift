import InferenceAPI
import SentimentModel
import TestSupport
import Testing

/// The end-to-end suites: the real ``InferenceService`` behind the real `HTTPServer` (or the real `lstm-serve`
/// executable), driven over loopback sockets with raw HTTP/1.1 bytes. Request tests that mean the same without a
/// socket take a `TestTransport` and run from one body both in-process and live.
///
/// Every suite is nested here so `.serialized` applies to all of them: the timing assertions (slow clients,
/// read timeouts, batching) stay meaningful on a small, busy machine because no other test competes for the CPU.
@Suite("End to end", .serialized)
enum EndToEnd {
    /// The real service for `model`, for a test to reach over either transport: `try service.test(transport) { client in … }`.
    static func service(
        _ configuration: ServiceConfiguration = ServiceConfiguration(), model: any ServedModel = BundledModel.bundle
    ) -> InferenceService {
        InferenceService(model: model, configuration: configuration)
    }
}
