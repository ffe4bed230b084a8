#if canImport(Glibc)
import Glibc
#endif

/// Polls `condition` every `every` seconds (default 20 ms) until it holds or
/// `timeout` seconds pass; returns whether it held. For "this happens soon"
/// checks on a loaded machine: give a generous `timeout`, since it costs only
/// when the check fails.
public func eventually(timeout: Double, every interval: Double = 0.02, _ condition: () -> Bool) -> Bool {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    let deadline = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + timeout
    while true {
        if condition() { return true }
        clock_gettime(CLOCK_MONOTONIC, &now)
        if Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 >= deadline { return condition() }
        usleep(useconds_t(max(0, interval) * 1_000_000))
    }
}
