import Dispatch
import Glibc
import Locking
import Logging
import Synchronization

/// SIGTERM and SIGINT (shut down, once) and SIGHUP (reload, each time), watched from before the model loads until the
/// process exits.
///
/// Installed first, for two reasons. libdispatch watches each signal through a signalfd, a file descriptor: a server
/// that has run out of descriptors under load could no longer make one, and SIGTERM would be ignored. And a signal
/// that arrives while the model loads should stop the process, not wait for it (SIGHUP then is logged and ignored,
/// where its default action would kill the process).
///
/// Threading: ``onShutdown(_:)`` and ``onReload(_:)`` may be called from any thread; the actions run on a private
/// serial queue, one at a time.
final class ProcessSignals: @unchecked Sendable {  // `sources` is only kept alive, never touched after init
    /// What the signal handlers share.
    private final class Shared: Sendable {
        let shutdown = Lock<(@Sendable (_ signal: String) -> Void)?>(nil)
        let reload = Lock<(@Sendable () -> Void)?>(nil)
        let shuttingDown = Atomic<Bool>(false)
    }

    private let shared = Shared()
    private let sources: [any DispatchSourceSignal]

    /// Must run on the main thread before the process starts any other thread.
    init(logger: Logger) {
        // libdispatch reads these signals from a signalfd, which sees only a signal that every thread blocks: one sent
        // to the process goes to any thread that does not block it, and is gone. A process manager starts us with an
        // empty mask, so block them here, before any thread exists; every thread made later inherits the mask. (A
        // SIGTERM during the model's load was lost this way and the server went on to serve.)
        var watched = sigset_t()
        sigemptyset(&watched)
        for number in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&watched, number) }
        pthread_sigmask(SIG_BLOCK, &watched, nil)

        let queue = DispatchQueue(label: "lstm-serve.signals")
        let shared = self.shared
        let names = [SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGHUP: "SIGHUP"]
        sources = [SIGTERM, SIGINT, SIGHUP].map { number in
            let name = names[number] ?? "signal \(number)"
            signal(number, SIG_IGN)  // delivered through the source instead
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if number == SIGHUP {
                    guard !shared.shuttingDown.load(ordering: .relaxed) else { return }
                    guard let reload = shared.reload.withLock({ $0 }) else {
                        return logger.notice("SIGHUP before serving: nothing to reload yet")
                    }
                    return reload()
                }
                guard !shared.shuttingDown.exchange(true, ordering: .relaxed) else { return }
                guard let shutdown = shared.shutdown.withLock({ $0 }) else {
                    logger.info("shutting down before serving", metadata: ["signal": "\(name)"])
                    Glibc.exit(0)
                }
                shutdown(name)
            }
            source.resume()
            return source
        }
    }

    /// What to do on the first SIGTERM or SIGINT from now on (until then, a signal exits at once).
    func onShutdown(_ shutdown: @escaping @Sendable (_ signal: String) -> Void) {
        shared.shutdown.withLock { $0 = shutdown }
    }

    /// What to do on each SIGHUP from now on, until shutdown begins (until then, SIGHUP is logged and ignored).
    func onReload(_ reload: @escaping @Sendable () -> Void) {
        shared.reload.withLock { $0 = reload }
    }
}
