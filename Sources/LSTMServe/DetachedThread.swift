import CLinux
import Glibc

/// The command's own threads, started through pthread: Foundation's `Thread` would link all of
/// swift-corelibs-foundation, and ICU's data with it, into the static binary.
enum DetachedThread {
    /// Runs `body` on a new detached thread called `name` in `ps -L` (Linux keeps 15 bytes of it); false when the
    /// system makes no thread.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        final class Body: Sendable {
            let name: String
            let run: @Sendable () -> Void
            init(name: String, run: @escaping @Sendable () -> Void) {
                self.name = name
                self.run = run
            }
        }
        let context = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                _ = pthread_setname_np(pthread_self(), String(decoding: body.name.utf8.prefix(15), as: UTF8.self))
                body.run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// Blocks the calling thread for `duration`; a signal handled meanwhile does not cut it short.
    static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
