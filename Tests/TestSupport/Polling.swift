import Glibc

/// Checks `condition` every `interval` until it holds or `timeout` has passed; returns whether it held.
///
/// Only for state that nothing signals, such as a thread's exit, a closed listener or another process;
/// wherever the code under test can signal, wait on the signal instead. The wait is bounded either way,
/// so a condition that never holds fails the test (give the `#expect` a message) instead of hanging it.
package func poll(
    every interval: Duration = .milliseconds(10), for timeout: Duration, until condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout.scaled
    while true {
        if try condition() { return true }
        guard ContinuousClock.now < deadline else { return false }
        let (seconds, attoseconds) = interval.components
        usleep(UInt32(clamping: seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
    }
}
