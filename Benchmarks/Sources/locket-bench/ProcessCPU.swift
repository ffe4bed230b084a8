import Glibc

/// A process's CPU time so far, every thread, user + system, as the kernel
/// counts it in `/proc/PID/stat` (fields 14 and 15, `utime` and `stime`, in
/// clock ticks of `sysconf(_SC_CLK_TCK)`, 100 per second on Linux).
enum ProcessCPU {
    /// Waits until `pid` uses no CPU for 300 ms running (no clock tick in two 150 ms
    /// looks), or `timeout` seconds pass; returns whether it went quiet.
    static func waitUntilQuiet(_ pid: pid_t, timeout: Double) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let end = Double(deadline.tv_sec) + Double(deadline.tv_nsec) / 1e9 + timeout
        var last = ticks(pid), quietLooks = 0
        while quietLooks < 2 {
            usleep(150_000)
            let current = ticks(pid)
            quietLooks = current == last ? quietLooks + 1 : 0
            last = current
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            if Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 > end { return false }
        }
        return true
    }

    static let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))

    /// utime + stime of `pid` in clock ticks.
    static func ticks(_ pid: pid_t) -> Int {
        guard let stat = readFile("/proc/\(pid)/stat"), let close = stat.utf8.lastIndex(of: UInt8(ascii: ")")) else {
            fatal("cannot read /proc/\(pid)/stat")
        }
        // After the command name (in parentheses, which may hold spaces): field 3 (state) onwards.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
            fatal("unexpected /proc/\(pid)/stat")
        }
        return user + system
    }
}

/// The daemon's CPU per request over a load generator's measured window: its
/// ticks read when the window opens and when it closes (`LoadGenerator.atWindowEdges`),
/// divided by the answers counted in between.
struct CPUPerRequest {
    let ticks: Int
    let requests: Int
    let seconds: Double

    /// CPU nanoseconds per request.
    var nanoseconds: Double { Double(ticks) * 1e9 / Double(ProcessCPU.ticksPerSecond) / Double(requests) }
    /// The share of the figure one clock tick is (each reading is truncated to whole ticks).
    var granularity: Double { 1 / Double(max(ticks, 1)) }
    /// Cores' worth of CPU the daemon used during the window.
    var cores: Double { Double(ticks) / Double(ProcessCPU.ticksPerSecond) / seconds }

    /// "110667 gets in 3.0 s, 237 ticks at 100/s (one tick 0.4 % of it), 0.79 cores".
    var summary: String {
        String(format: "%d gets in %.1f s, %d ticks at %d/s (one tick %.1f %% of it), %.2f cores",
               requests, seconds, ticks, ProcessCPU.ticksPerSecond, granularity * 100, cores)
    }
}

/// Reads a process's ticks at a load generator's window edges.
final class CPUWindow {
    private let pid: pid_t
    private var start: Int?
    private(set) var ticks = 0

    init(pid: pid_t) { self.pid = pid }

    /// For `LoadGenerator.atWindowEdges`.
    func edge(opening: Bool) {
        let now = ProcessCPU.ticks(pid)
        if opening { start = now } else if let start { ticks = now - start }
    }

    /// The figure for `result`, the run this window was read around.
    func perRequest(_ result: LoadGenerator.Result) -> CPUPerRequest {
        CPUPerRequest(ticks: ticks, requests: result.completed, seconds: result.seconds)
    }
}
