import Foundation

/// How many times longer than written every bounded wait in the tests may be: `LSTM_SERVE_TEST_TIMEOUT_SCALE`, else 1.
///
/// The waits are written for a normal debug build. Under a sanitizer everything runs several times slower
/// (AddressSanitizer about 2–4×, the loading of the model more), so CI's sanitizer step sets the variable
/// (.ci/sanitizers.sh) and the waits that bound how long a test may take grow with it; what a test asserts does not change.
package enum TimeoutScale {
    package static let factor: Int = {
        guard let text = ProcessInfo.processInfo.environment["LSTM_SERVE_TEST_TIMEOUT_SCALE"], let factor = Int(text) else { return 1 }
        return max(1, factor)
    }()
}

extension Duration {
    /// This bound on a wait, times ``TimeoutScale/factor``.
    package var scaled: Duration { self * TimeoutScale.factor }
}
