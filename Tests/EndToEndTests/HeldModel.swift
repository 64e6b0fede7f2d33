import Dispatch
import InferenceAPI
import SentimentModel
import Synchronization
import TestSupport

/// The bundled model with a gate in front of its forward pass, so a test can keep the batcher's worker busy for
/// exactly as long as it needs instead of counting on a delay window to outlast it.
///
/// Each pass signals that it has started, then waits until ``release()`` (bounded, so a test that fails before
/// releasing cannot hold the worker for good). Threading: any thread, like every ``ServedModel``.
final class HeldModel: ServedModel {
    private let model: ModelBundle
    private let started = DispatchSemaphore(value: 0)
    /// Entered once at creation; ``release()`` leaves it, which lets every waiting and later pass through.
    private let gate = DispatchGroup()
    private let released = Atomic<Bool>(false)

    init(_ model: ModelBundle = BundledModel.bundle) {
        self.model = model
        gate.enter()
    }

    var name: String { model.name }
    var sha256: String { model.sha256 }
    var vocabularySize: Int { model.vocabularySize }
    var maxLength: Int { model.maxLength }
    var details: ModelDetails { model.details }
    var acceptsText: Bool { model.acceptsText }

    func encode(_ text: String) -> TokenSequence? { model.encode(text) }
    func wordCounts(of encoded: TokenSequence) -> WordCounts { model.wordCounts(of: encoded) }
    func explain(_ text: String) -> Explanation? { model.explain(text) }

    func predict(_ batch: [TokenSequence]) -> [Float] {
        started.signal()
        _ = gate.wait(timeout: .now() + 30)
        return model.predict(batch)
    }

    /// Blocks until one more pass has started, or `timeout` passes; returns whether one did.
    func waitUntilPassStarted(timeout: Duration = .seconds(10)) -> Bool {
        started.wait(timeout: .after(timeout)) == .success
    }

    /// Lets the held passes and every later one run. Later calls do nothing.
    func release() {
        if !released.exchange(true, ordering: .sequentiallyConsistent) { gate.leave() }
    }
}
