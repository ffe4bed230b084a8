#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The process's limit on open descriptors (`RLIMIT_NOFILE`) and how many
/// client connections it leaves room for.
///
/// systemd starts user services with a soft limit of 1024 (kept low for
/// programs that use `select()`) and a much higher hard limit. The daemon uses
/// epoll only, so it raises its soft limit to the hard one; otherwise its
/// default cap of 1024 connections could never be reached, and the clients past
/// the limit would wait in the listen backlog with no answer instead of getting
/// the cap's `unavailable` line.
public enum DescriptorLimit {
    /// Descriptors kept free for what the daemon opens after start-up besides
    /// connections: store readers (a database and a WAL file each), key files.
    public static let reserve = 32

    /// The soft and hard limits now.
    public static var current: (soft: Int, hard: Int) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (Int.max, Int.max) }
        return (clamp(limit.rlim_cur), clamp(limit.rlim_max))
    }

    /// Raises the soft limit to the hard limit; returns the limits after it.
    @discardableResult
    public static func raiseSoftToHard() -> (soft: Int, hard: Int) {
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return current
    }

    /// Descriptors open in this process now (nil where `/proc/self/fd` cannot be read).
    public static var openNow: Int? {
        // The listing itself holds one descriptor while it runs.
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).map { max(0, $0.count - 1) }
    }

    /// How many connections fit: the soft limit less what is open now and the reserve.
    public static func connectionsThatFit() -> Int? {
        guard let open = openNow else { return nil }
        let soft = current.soft
        guard soft < Int.max / 2 else { return nil }
        return max(1, soft - open - reserve)
    }

    private static func clamp(_ value: rlim_t) -> Int {
        value > rlim_t(Int.max) ? Int.max : Int(value)
    }
}
