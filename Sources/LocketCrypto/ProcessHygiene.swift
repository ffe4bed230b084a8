import CLocketSys

/// Process-wide protections for a program that holds keys: no core dumps and
/// no ptrace attach by other processes of the same user.
public enum ProcessHygiene {
    /// What `apply()` achieved; each flag is read back from the kernel.
    public struct Report: Sendable, Equatable {
        /// `PR_GET_DUMPABLE` answered 0.
        public var dumpableOff: Bool
        /// `RLIMIT_CORE` is 0.
        public var coreLimitZero: Bool
    }

    /// Sets `PR_SET_DUMPABLE` 0 and `RLIMIT_CORE` 0, then reads both back.
    @discardableResult
    public static func apply() -> Report {
        _ = locket_set_dumpable(0)
        _ = locket_disable_core_dumps()
        return current()
    }

    /// The current state, without changing anything.
    public static func current() -> Report {
        Report(dumpableOff: locket_get_dumpable() == 0, coreLimitZero: locket_core_limit() == 0)
    }
}
