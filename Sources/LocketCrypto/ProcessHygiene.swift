import CLocketSys

/// Process-wide protections for a program that holds keys: no core dumps, no
/// ptrace attach by other processes of the same user, key memory locked into RAM.
public enum ProcessHygiene {
    /// What `apply()` achieved; each flag is read back from the kernel.
    public struct Report: Sendable, Equatable {
        /// `PR_GET_DUMPABLE` answered 0.
        public var dumpableOff: Bool
        /// `RLIMIT_CORE` is 0.
        public var coreLimitZero: Bool
        /// Every `SecureKey` so far (and `apply()`'s probe) was locked into RAM; false when
        /// `RLIMIT_MEMLOCK` is too small, and keys may then be written to swap.
        public var keyMemoryLocked: Bool
    }

    /// Sets `PR_SET_DUMPABLE` 0 and `RLIMIT_CORE` 0, allocates a probe key to
    /// learn whether key memory can be locked, then reads everything back.
    @discardableResult
    public static func apply() -> Report {
        _ = locket_set_dumpable(0)
        _ = locket_disable_core_dumps()
        _ = try? SecureKey(count: 32) { _ in }
        return current()
    }

    /// The current state, without changing anything.
    public static func current() -> Report {
        Report(dumpableOff: locket_get_dumpable() == 0, coreLimitZero: locket_core_limit() == 0,
               keyMemoryLocked: SecureKey.lockFailures == 0)
    }

    /// The process's locked-memory limit (`RLIMIT_MEMLOCK`, soft) in bytes; nil if unlimited or unknown.
    public static var lockedMemoryLimit: Int? {
        let limit = locket_memlock_limit()
        return limit < 0 ? nil : Int(limit)
    }
}
