import Glibc
import Synchronization

/// A small number for each thread that asks, given out in order from 0 on a thread's first call:
/// how ``InlineBatcher`` finds the calling thread's lane without anyone passing it around.
///
/// One thread-specific key for the whole process, made on first use and never deleted, so batchers
/// can come and go without running out of keys. A thread keeps its number for its whole life.
@usableFromInline
enum ThreadNumber {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let result = pthread_key_create(&key, nil)
        precondition(result == 0, "pthread_key_create failed: \(result)")
        return key
    }()
    private static let next = Atomic<Int>(0)

    /// The calling thread's number.
    @usableFromInline
    static var current: Int {
        let key = Self.key
        if let stored = pthread_getspecific(key) { return Int(bitPattern: stored) - 1 }
        let number = next.add(1, ordering: .relaxed).oldValue
        // Stored plus one: a null value means "not yet numbered".
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: number + 1))
        return number
    }
}
