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
/// The state and the mutex share one allocation (a `ManagedBuffer`: the state its header, the mutex its one
/// element), because a `pthread_mutex_t` must not move after `pthread_mutex_init` and Swift promises a stored
/// property no fixed address; one allocation, as a class with a stored mutex would be, not three. Locks are
/// made per request (`BatchSubmission`), so that count is on the hot path.
@frozen @usableFromInline
package struct Lock<State>: @unchecked Sendable {
    // Unchecked: the state is read and written only inside `withLock`, with the mutex held. For any `State`,
    // as `Mutex` is: the state comes in `sending`, the body gets it as `inout sending` and hands back a
    // `sending` result, so no reference into the state stays reachable outside the lock.

    @usableFromInline
    final class Storage: ManagedBuffer<State, pthread_mutex_t> {
        deinit {
            withUnsafeMutablePointerToElements { mutex in
                let result = pthread_mutex_destroy(mutex)
                precondition(result == 0, "pthread_mutex_destroy failed: \(result)")
                mutex.deinitialize(count: 1)
            }
        }
    }

    @usableFromInline let storage: Storage
    /// The state and the mutex inside `storage`. A heap object does not move, so they stay valid for as long
    /// as `storage` lives, which every `withLock` call's `self` guarantees.
    @usableFromInline let state: UnsafeMutablePointer<State>
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    @inlinable
    package init(_ initialState: sending State) {
        let buffer = Storage.create(minimumCapacity: 1) { _ in initialState }
        storage = unsafeDowncast(buffer, to: Storage.self)
        (state, mutex) = storage.withUnsafeMutablePointers { ($0, $1) }
        mutex.initialize(to: pthread_mutex_t())
        let result = pthread_mutex_init(mutex, nil)
        precondition(result == 0, "pthread_mutex_init failed: \(result)")
    }

    /// Runs `body` with the lock held, passing it the state to read or change; unlocks on return or throw.
    /// Not reentrant: calling `withLock` on the same lock from `body` deadlocks.
    @inlinable
    package func withLock<R, E: Error>(_ body: (inout sending State) throws(E) -> sending R) throws(E) -> sending R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_mutex_unlock(mutex)
            withExtendedLifetime(storage) {}
        }
        return try body(&state.pointee)
    }
}
