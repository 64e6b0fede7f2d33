import Dispatch
import Foundation
import Locking
import Logging
import Synchronization

/// SIGTERM and SIGINT, watched from before the model loads until the process exits.
///
/// Installed first, for two reasons. libdispatch watches each signal through a signalfd, a file descriptor: a server
/// that has run out of descriptors under load could no longer make one, and SIGTERM would be ignored. And a signal
/// that arrives while the model loads should stop the process, not wait for it.
///
/// Threading: ``onShutdown(_:)`` may be called from any thread; the action runs once, on a private serial queue.
final class ShutdownSignals: @unchecked Sendable {  // `sources` is only kept alive, never touched after init
    /// What the signal handlers share.
    private final class Shared: Sendable {
        let action = Lock<(@Sendable (_ signal: String) -> Void)?>(nil)
        let fired = Atomic<Bool>(false)
    }

    private let shared = Shared()
    private let sources: [any DispatchSourceSignal]

    init(logger: Logger) {
        let queue = DispatchQueue(label: "lstm-serve.signals")
        let shared = self.shared
        sources = [SIGTERM, SIGINT].map { number in
            let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
            signal(number, SIG_IGN)  // delivered through the source instead
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                guard !shared.fired.exchange(true, ordering: .relaxed) else { return }
                guard let shutdown = shared.action.withLock({ $0 }) else {
                    logger.info("shutting down before serving", metadata: ["signal": "\(name)"])
                    Foundation.exit(0)
                }
                shutdown(name)
            }
            source.resume()
            return source
        }
    }

    /// What to do on the first SIGTERM or SIGINT from now on (until then, a signal exits at once).
    func onShutdown(_ shutdown: @escaping @Sendable (_ signal: String) -> Void) {
        shared.action.withLock { $0 = shutdown }
    }
}
