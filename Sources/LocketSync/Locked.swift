#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that only one thread at a time may touch, guarded by a pthread mutex.
///
/// Use it where `Synchronization.Mutex` would do. `Mutex` on Linux (Swift 6.3.1)
/// locks with atomics and futex system calls that ThreadSanitizer does not see,
/// so every access it guards is reported as a data race. `pthread_mutex_lock`
/// is intercepted by the sanitizers, so `Locked` keeps `--sanitize=thread` runs
/// free of false reports while guarding exactly the same way.
///
/// The mutex lives on the heap (a `pthread_mutex_t` must not move once it is in
/// use), which is why `Locked` is a class. It is not recursive: calling
/// `withLock` again from inside `body` on the same `Locked` deadlocks (debug
/// builds stop with a message instead).
///
/// Like `Mutex`, it is `Sendable` whatever the value: a value that is not
/// `Sendable` goes in as `sending` (nothing else keeps a reference to it) and
/// can only be reached inside `withLock`, whose result goes out as `sending`,
/// so the compiler still stops it from being shared behind the lock's back.
///
///     let hits = Locked(0)
///     hits.withLock { $0 += 1 }
public final class Locked<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// Guards `value`, which from now on is reached only through `withLock`.
    public init(_ value: consuming sending Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        defer { pthread_mutexattr_destroy(&attributes) }
        #if DEBUG
        // Report misuse (locking twice on one thread, unlocking another's lock) instead of hanging.
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK))
        #endif
        let result = pthread_mutex_init(mutex, &attributes)
        precondition(result == 0, "pthread_mutex_init failed: \(result)")
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the lock held and the value lent to it for reading and
    /// writing; returns what `body` returns and rethrows what it throws (the lock
    /// is released either way). Keep `body` short: it blocks every other thread
    /// that wants the value.
    public func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        let locked = pthread_mutex_lock(mutex)
        precondition(locked == 0, "pthread_mutex_lock failed: \(locked)")
        defer {
            let unlocked = pthread_mutex_unlock(mutex)
            precondition(unlocked == 0, "pthread_mutex_unlock failed: \(unlocked)")
        }
        return try body(&value)
    }
}

