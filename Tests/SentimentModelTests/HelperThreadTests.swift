import Dispatch
import Foundation
import Locking
import Synchronization
import TestSupport
import Testing

@testable import SentimentModel

/// The two-thread runner behind big forward passes: both halves run once each, on two threads
/// when the helper is free, whether the helper is spinning or asleep, and under contention.
/// A lost wake-up would hang `run`, so each test runs on a thread of its own under a deadline.
struct HelperThreadTests {
    @Test func runsHalfZeroOnTheCallerAndHalfOneOnTheHelper() throws {
        let (caller, ran, helperName) = try #require(
            finishes(within: .seconds(30)) {
                let helper = HelperThread()
                let threads = Lock<[Int: pthread_t]>([:])
                let name = Lock<String?>(nil)
                helper.run { half in
                    threads.withLock { $0[half] = pthread_self() }
                    if half == 1 { name.withLock { $0 = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8) } }
                }
                return (pthread_self(), threads.withLock { $0 }, name.withLock { $0 })
            }, "the pass never finished")
        #expect(ran.count == 2)
        #expect(ran[0].map { pthread_equal($0, caller) != 0 } == true)
        #expect(ran[1].map { pthread_equal($0, caller) == 0 } == true)
        // Linux drops a thread name longer than 15 bytes, leaving the creating thread's.
        #expect(helperName == HelperThread.threadName + "\n")
    }

    @Test func wakesForPassesBeforeDuringAndAfterItsSpin() throws {
        let wrongPasses = try #require(finishes(within: .seconds(30)) { Self.passesWithRandomGaps() }, "a pass never finished")
        #expect(wrongPasses == [])
    }

    @Test func neverLosesAWakeUpWhenBothSidesSleepAtOnce() throws {
        let wrongPasses = try #require(finishes(within: .seconds(30)) { Self.passesWithoutSpinning() }, "a pass never finished")
        #expect(wrongPasses == [])
    }

    @Test func aLateWakeUpNeverEndsTheNextWait() throws {
        let wrongPasses = try #require(finishes(within: .seconds(30)) { Self.passesWithLateWakeUps() }, "a pass never finished")
        #expect(wrongPasses == [])
    }

    @Test func concurrentCallersEachGetBothHalves() throws {
        let halves = try #require(finishes(within: .seconds(30)) { Self.contendedPasses() }, "a pass never finished")
        #expect(halves == [1_600, 1_600])
    }

    /// The passes, of 300, that did not run each half exactly once.
    private static func passesWithRandomGaps() -> [Int] {
        // Gaps from none to well past the spin limit, so that passes find the helper spinning,
        // just going to sleep, or asleep, and the caller waits both ways.
        let helper = HelperThread()
        var random = SplitMix64(seed: 7)
        let limit = Int(helper.spinLimit.components.attoseconds / 1_000_000_000_000)
        var wrong: [Int] = []
        for pass in 0..<300 {
            let halves = Lock<[Int]>([])
            let slowHalf = random.next(below: 2)
            let work = random.next(below: 2 * limit)
            helper.run { half in
                if half == slowHalf { usleep(UInt32(work)) }  // Deliberate: one half outlasts the other, so either side waits.
                halves.withLock { $0.append(half) }
            }
            if halves.withLock({ $0.sorted() }) != [0, 1] { wrong.append(pass) }
            usleep(UInt32(random.next(below: 3 * limit)))  // Deliberate: the gap that finds the helper spinning or asleep.
        }
        return wrong
    }

    /// The passes, of 20,000 back to back on a helper that never spins, that did not run each half
    /// exactly once: every wait on both sides races the other side's wake-up.
    private static func passesWithoutSpinning() -> [Int] {
        wrongPasses(of: HelperThread(spinLimit: .zero), count: 20_000)
    }

    /// The passes, of 2,000, that did not run each half exactly once, when every third hand-off
    /// is held up for 300 µs before it wakes the other side: by then that side has seen the
    /// hand-off by spinning, finished, and gone to sleep waiting for the next one.
    private static func passesWithLateWakeUps() -> [Int] {
        let handOffs = Counter()
        let helper = HelperThread(spinLimit: .zero) {
            if handOffs.value.add(1, ordering: .relaxed).newValue % 3 == 0 { usleep(300) }  // Deliberate: the late wake-up.
        }
        return wrongPasses(of: helper, count: 2_000)
    }

    /// Runs `count` passes back to back; returns those that did not run each half exactly once.
    private static func wrongPasses(of helper: HelperThread, count: Int) -> [Int] {
        (0..<count).filter { _ in
            let halves = Lock<[Int]>([])
            helper.run { half in halves.withLock { $0.append(half) } }
            return halves.withLock { $0.sorted() } != [0, 1]
        }
    }

    /// How many times each half ran, over 8 threads × 200 passes on one helper.
    private static func contendedPasses() -> [Int] {
        let helper = HelperThread()
        let counts = Lock<[Int]>([0, 0])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<200 {
                let seen = Lock<[Int]>([])
                helper.run { half in seen.withLock { $0.append(half) } }
                counts.withLock { counts in seen.withLock { for half in $0 { counts[half] += 1 } } }
            }
        }
        return counts.withLock { $0 }
    }

    /// Runs `body` on a new thread and returns its result, or nil if it has not returned after `limit`.
    private func finishes<T: Sendable>(within limit: Duration, _ body: @escaping @Sendable () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let result = Lock<T?>(nil)
        Thread {
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }.start()
        let (seconds, attoseconds) = limit.components
        let deadline = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        guard done.wait(timeout: deadline) == .success else { return nil }
        return result.withLock { $0 }
    }
}

private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
