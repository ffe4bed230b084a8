#if canImport(Glibc)
import Glibc
#endif

/// A mutex and a condition variable (POSIX), for a thread that waits for work and
/// the threads that hand it some: `Foundation.NSCondition`'s calls without
/// Foundation. Timed waits run on the monotonic clock, so a change of the wall
/// clock neither cuts them short nor stretches them.
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` holding the lock.
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits (holding the lock on return) until signalled; may wake without a signal,
    /// so callers wait in a loop on their own condition.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// As `wait()`, for at most `seconds`; false when the time ran out.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        guard seconds > 0 else { return false }
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let whole = seconds.rounded(.down)
        var nanoseconds = Int(deadline.tv_nsec) + Int((seconds - whole) * 1e9)
        var extra = 0
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            extra = 1
        }
        // Far-off deadlines (beyond what time_t holds) wait as long as it can.
        let wholeSeconds = whole < Double(Int.max / 2) ? Int(whole) : Int.max / 2
        deadline.tv_sec = deadline.tv_sec + wholeSeconds + extra
        deadline.tv_nsec = nanoseconds
        return pthread_cond_timedwait(condition, mutex, &deadline) != ETIMEDOUT
    }

    /// Wakes one waiting thread.
    public func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiting thread.
    public func broadcast() { pthread_cond_broadcast(condition) }
}
