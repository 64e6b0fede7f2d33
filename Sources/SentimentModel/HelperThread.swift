import CLinux
import Dispatch
import Glibc
import Synchronization

/// A second thread for big forward passes, which waits for the next pass spinning for a while
/// before it sleeps.
///
/// On the 2-core development VM, waking a sleeping thread on the idle core took 50–800 µs, a large
/// share of a 2 ms pass, and `DispatchQueue.concurrentPerform` pays that twice per pass: once to
/// start its worker, and once to wake the caller when the worker finishes last. Here both sides
/// spin for up to ``spinLimit`` (200 µs by default) before they sleep on a semaphore, so passes
/// that come back to back never sleep, and a lone pass costs at most that much of one core after.
///
/// One pass at a time uses the helper; a caller that finds it busy does both halves itself, so
/// ``run(_:)`` never waits for another caller. The thread holds its helper and never ends, so a
/// helper lives as long as the process: the engines share ``shared``.
final class HelperThread: @unchecked Sendable {
    /// The process's helper, started by the first pass that asks for it.
    static let shared = HelperThread()

    /// How long either side spins before it sleeps.
    let spinLimit: Duration

    /// Set while a caller owns the helper.
    private let busy = Atomic<Bool>(false)
    /// Passes posted so far; the helper counts the ones it has taken.
    private let posted = Atomic<Int>(0)
    /// Passes whose helper half is done.
    private let finished = Atomic<Int>(0)
    /// Whether the helper sleeps (or is about to) on `helperWake`; a poster that clears it signals.
    private let helperSleeping = Atomic<Bool>(false)
    /// Whether the caller sleeps (or is about to) on `callerWake`; the helper clears it and signals.
    private let callerSleeping = Atomic<Bool>(false)
    private let helperWake = DispatchSemaphore(value: 0)
    private let callerWake = DispatchSemaphore(value: 0)
    /// The helper half of the current pass; written before `posted` is released, read after it is acquired.
    private var work: ((Int) -> Void)?
    /// Called by each side between making the other's `ready()` true and looking at its sleeping
    /// flag, the window in which a wake-up arrives late. Tests widen it; nil otherwise.
    private let afterHandOff: (@Sendable () -> Void)?

    /// The helper's name in `ps -L`, `top -H` and profiles; Linux keeps at most 15 bytes.
    static let threadName = "pass-helper"

    /// - Parameters:
    ///   - spinLimit: how long either side spins before it sleeps (tests use zero, so that every
    ///     wait goes through the sleeping hand-off).
    ///   - afterHandOff: for tests, a pause between each hand-off and its wake-up.
    init(spinLimit: Duration = .microseconds(200), afterHandOff: (@Sendable () -> Void)? = nil) {
        self.spinLimit = spinLimit
        self.afterHandOff = afterHandOff
        let started = Self.startThread {
            // Named from the thread itself, so the name is set before the helper takes any pass.
            _ = pthread_setname_np(pthread_self(), Self.threadName)
            self.serve()
        }
        // Without a thread, every pass runs both halves on its caller, as when the helper is busy.
        if !started { busy.store(true, ordering: .relaxed) }
    }

    /// Runs `body` on a new detached thread; false when the system makes none. Through pthread, not Foundation's
    /// `Thread`, which would link all of swift-corelibs-foundation, ICU's data with it, into the static binary.
    private static func startThread(_ body: @escaping () -> Void) -> Bool {
        final class Body {
            let run: () -> Void
            init(_ run: @escaping () -> Void) { self.run = run }
        }
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// Calls `work(0)` on the calling thread and `work(1)` on the helper, and returns when both
    /// have returned. If another pass holds the helper, calls both on the calling thread.
    func run(_ work: (Int) -> Void) {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            work(0)
            work(1)
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(work) { work in
            self.work = work
            let pass = posted.add(1, ordering: .sequentiallyConsistent).newValue
            afterHandOff?()
            if helperSleeping.exchange(false, ordering: .sequentiallyConsistent) { helperWake.signal() }
            work(0)
            wait(until: { finished.load(ordering: .sequentiallyConsistent) >= pass }, sleeping: callerSleeping, wake: callerWake)
            self.work = nil
        }
    }

    private func serve() {
        var taken = 0
        while true {
            wait(until: { posted.load(ordering: .sequentiallyConsistent) > taken }, sleeping: helperSleeping, wake: helperWake)
            taken += 1
            runHelperHalf()
            finished.store(taken, ordering: .sequentiallyConsistent)
            afterHandOff?()
            if callerSleeping.exchange(false, ordering: .sequentiallyConsistent) { callerWake.signal() }
        }
    }

    /// Runs the current pass's helper half. Not inlined, so that the helper holds no reference to
    /// `work` once it returns, before `finished` releases the caller, whose `withoutActuallyEscaping`
    /// traps if a reference is left.
    @inline(never)
    private func runHelperHalf() {
        work?(1)
    }

    /// Spins until `ready()` for up to ``spinLimit``, then sleeps on `wake` until the other side,
    /// having made `ready()` true, finds `sleeping` set, clears it and signals. The loads in
    /// `ready()` must be sequentially consistent, like the store that announces the sleep.
    private func wait(until ready: () -> Bool, sleeping: borrowing Atomic<Bool>, wake: DispatchSemaphore) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: spinLimit)
        var spins = 0
        while !ready() {
            spins += 1
            guard spins & 63 == 0, clock.now >= deadline else { continue }
            // Announce the sleep, then look once more: the other side makes `ready()` true before
            // it tests `sleeping`, so one of the two sees the other (both sequentially consistent).
            sleeping.store(true, ordering: .sequentiallyConsistent)
            if ready() {
                // If the other side has already cleared the flag it has signalled, or will: take that signal.
                if !sleeping.exchange(false, ordering: .sequentiallyConsistent) { wake.wait() }
                return
            }
            wake.wait()
            // The signal may be a late one: the other side made `ready()` true for the previous
            // hand-off, was held up, and only then found this wait's flag set. Look again.
        }
    }
}
