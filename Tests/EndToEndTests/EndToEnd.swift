import Testing

/// The end-to-end suites: the real ``InferenceService`` behind the real `HTTPServer` (or the real `lstm-serve`
/// executable), driven over loopback sockets with raw HTTP/1.1 bytes.
///
/// Every suite is nested here so `.serialized` applies to all of them: the timing assertions (slow clients,
/// read timeouts, batching) stay meaningful on a small, busy machine because no other test competes for the CPU.
@Suite("End to end", .serialized)
enum EndToEnd {}
