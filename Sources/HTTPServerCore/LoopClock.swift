import Glibc

/// The time source of an ``IOLoop``'s timers and of its connections' timeouts: nanoseconds of a monotonic clock.
///
/// Injected so that tests can drive time; the server uses ``monotonic``. Deadlines computed from one clock are only
/// compared with the same clock's readings, so a loop and its connections share one.
///
/// Threading: `now` may be called from any thread.
struct LoopClock: Sendable {
    /// The current time in nanoseconds; it never decreases.
    let now: @Sendable () -> UInt64

    /// Creates a clock that reads the time from `now`.
    init(now: @escaping @Sendable () -> UInt64) {
        self.now = now
    }

    /// `CLOCK_MONOTONIC`: it does not jump when the wall clock is set.
    static let monotonic = LoopClock {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
