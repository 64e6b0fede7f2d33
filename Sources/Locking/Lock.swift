public import Glibc

/// A value guarded by a `pthread_mutex_t`: the same `withLock` as `Synchronization.Mutex`, so a call site
/// changes only where the lock is declared.
///
/// Why not `Mutex`: its contended path (`_lockSlow`, a futex) lives in `libswiftSynchronization.so`, which
/// is not built with ThreadSanitizer, so under `--sanitize=thread` TSan never sees a contended lock taken and
/// reports accesses the lock orders as races (dozens of false reports per run of our concurrent tests).
/// TSan intercepts `pthread_mutex_lock` and `pthread_mutex_unlock`, so with this lock it sees the ordering,
/// and an access made without the lock is still reported.
///
/// The mutex and the state live in memory of their own, allocated once: a `pthread_mutex_t` must not move
/// after `pthread_mutex_init`, and Swift does not promise a stored property a fixed address. The state is
/// not a stored property either, as a `Mutex`'s is not: a class's `var` would cost an exclusivity check per
/// `withLock`, and TSan would see a zero-sized state (`Lock<Void>`) at the object's header and report the
/// header read that precedes locking as racing with it.
@usableFromInline
package final class Lock<State> {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline let state: UnsafeMutablePointer<State>

    @inlinable
    package init(_ initialState: consuming sending State) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let result = pthread_mutex_init(mutex, nil)
        precondition(result == 0, "pthread_mutex_init failed: \(result)")
        state = .allocate(capacity: 1)
        state.initialize(to: initialState)
    }

    deinit {
        let result = pthread_mutex_destroy(mutex)
        precondition(result == 0, "pthread_mutex_destroy failed: \(result)")
        mutex.deinitialize(count: 1)
        mutex.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Runs `body` with the lock held, passing it the state to read or change; unlocks on return or throw.
    /// Not reentrant: calling `withLock` on the same lock from `body` deadlocks.
    @inlinable
    package func withLock<R, E: Error>(_ body: (inout sending State) throws(E) -> sending R) throws(E) -> sending R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state.pointee)
    }
}

// Unchecked: the compiler cannot see that `state` is read and written only inside `withLock`, with `mutex`
// held. For any `State`, as `Mutex` is: the state comes in `sending` and the body gets it as `inout sending`
// and hands back a `sending` result, so no reference into the state stays reachable outside the lock.
extension Lock: @unchecked Sendable {}
