import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Figures of a running process read from `/proc/<pid>`: open descriptors,
/// memory (`VmRSS`, `VmHWM`, `VmLck`), resource limits, and who owns its
/// `/proc` files (root, once the process has made itself non-dumpable).
/// Every reader returns nil when the process is gone or the file unreadable.
public struct ProcessProbe: Sendable {
    public let pid: Int32

    public init(_ pid: Int32) {
        self.pid = pid
    }

    /// Number of entries in `/proc/<pid>/fd`.
    public var openDescriptors: Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// What each open descriptor points at (`socket:[…]`, a path, `anon_inode:[…]`), by descriptor number.
    public var descriptorTargets: [Int: String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return [:] }
        var targets: [Int: String] = [:]
        for name in names {
            guard let fd = Int(name) else { continue }
            targets[fd] = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(name)")) ?? "?"
        }
        return targets
    }

    /// The value of a `/proc/<pid>/status` line (`Uid`, `Threads`, …), trimmed.
    public func status(_ field: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }) else { return nil }
        return line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
    }

    /// A memory figure of `/proc/<pid>/status` in KiB (`VmRSS`: now, `VmHWM`: peak, `VmLck`: locked).
    public func kibibytes(_ field: String) -> Int? {
        status(field).flatMap { Int($0.split(separator: " ").first ?? "") }
    }

    /// The soft and hard values of a `/proc/<pid>/limits` row ("Max open files",
    /// "Max core file size", "Max locked memory"), as written ("unlimited" or a number).
    public func limit(_ name: String) -> (soft: String, hard: String)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) })
        else { return nil }
        let fields = line.dropFirst(name.count).split(separator: " ")
        guard fields.count >= 2 else { return nil }
        return (String(fields[0]), String(fields[1]))
    }

    /// The uid owning `/proc/<pid>/<entry>` (`environ`, `mem`, …). The kernel gives
    /// these files to root when the process is not dumpable (`PR_SET_DUMPABLE` 0),
    /// and to the process's own uid otherwise.
    public func owner(of entry: String) -> uid_t? {
        var info = stat()
        guard stat("/proc/\(pid)/\(entry)", &info) == 0 else { return nil }
        return info.st_uid
    }

    /// Polls `openDescriptors` every 50 ms until `condition` holds or `timeout` passes; the last count.
    public func waitForDescriptors(timeout: Double, _ condition: (Int) -> Bool) -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        var last = openDescriptors
        while Date() < deadline {
            if let count = last, condition(count) { return count }
            usleep(50_000)
            last = openDescriptors
        }
        return last
    }
}

/// Samples a process's `VmRSS` on a background thread until `stop()`; keeps the highest value.
public final class MemorySampler: @unchecked Sendable {
    private let probe: ProcessProbe
    private let interval: Double
    private let lock = NSLock()
    private var highest = 0
    private var samples = 0
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    /// Starts sampling `pid` every `interval` seconds.
    public init(pid: Int32, interval: Double = 0.05) {
        probe = ProcessProbe(pid)
        self.interval = interval
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                if let rss = probe.kibibytes("VmRSS") {
                    lock.withLock {
                        highest = max(highest, rss)
                        samples += 1
                    }
                }
                Thread.sleep(forTimeInterval: self.interval)
            }
            finished.signal()
        }
        thread.start()
    }

    /// The highest `VmRSS` seen so far, in KiB, and how many samples were taken.
    public var peak: (kibibytes: Int, samples: Int) { lock.withLock { (highest, samples) } }

    /// Stops the sampling thread and returns the peak.
    @discardableResult
    public func stop() -> (kibibytes: Int, samples: Int) {
        let wasRunning = lock.withLock { () -> Bool in
            defer { running = false }
            return running
        }
        if wasRunning { finished.wait() }
        return peak
    }

    deinit { stop() }
}

/// The test process itself: its limit on open descriptors (`RLIMIT_NOFILE`).
public enum TestProcess {
    /// The current soft and hard limits on open descriptors.
    public static var descriptorLimit: (soft: Int, hard: Int) {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        return (Self.clamp(limit.rlim_cur), Self.clamp(limit.rlim_max))
    }

    /// Raises the soft limit to at least `count` (never above the hard limit) and
    /// returns the limits after it. A test that holds many sockets calls this first.
    @discardableResult
    public static func raiseDescriptorLimit(toAtLeast count: Int) -> (soft: Int, hard: Int) {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < rlim_t(count) {
            limit.rlim_cur = min(limit.rlim_max, rlim_t(count))
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return descriptorLimit
    }

    private static func clamp(_ value: rlim_t) -> Int {
        value > rlim_t(Int.max) ? Int.max : Int(value)
    }
}
