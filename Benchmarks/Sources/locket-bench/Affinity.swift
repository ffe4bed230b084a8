import Glibc

/// CPU placement: the calling thread (sched_setaffinity, looked up at run time
/// because Glibc's Swift module hides it) and whole processes (`taskset -a -p`).
enum Affinity {
    private typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeRawPointer) -> Int32

    private static let setAffinity: SetAffinity? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity") else { return nil }
        return unsafeBitCast(symbol, to: SetAffinity.self)
    }()

    /// Pins the calling thread to `cpus` (nil: every online CPU).
    static func pinThread(_ cpus: [Int]?) {
        let all = Array(0..<Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var mask = [UInt64](repeating: 0, count: 16)  // cpu_set_t: 1024 bits
        for cpu in cpus ?? all { mask[cpu / 64] |= 1 << UInt64(cpu % 64) }
        let result = mask.withUnsafeBytes { setAffinity?(0, $0.count, $0.baseAddress!) ?? -1 }
        if result != 0 { fatal("sched_setaffinity failed") }
    }

    /// Pins every thread of `pid` to `cpus` (nil: every online CPU).
    static func pinProcess(_ pid: pid_t, _ cpus: [Int]?) {
        let list = cpus.map { $0.map(String.init).joined(separator: ",") }
            ?? "0-\(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) - 1)"
        let status = Spawn.run(["/usr/bin/taskset", "-a", "-p", "-c", list, String(pid)], quiet: true)
        if status != 0 { fatal("taskset on \(pid) failed") }
    }
}

/// Prints to stderr and exits 1.
func fatal(_ message: String) -> Never {
    toStderr("locket-bench: \(message)\n")
    exit(1)
}

/// Progress on stderr.
func note(_ message: String) {
    toStderr("bench: \(message)\n")
}

/// Written after whatever `print` still holds: a note must not land inside the
/// table on a terminal that shows both streams (it did, and was copied into
/// BENCHMARKS.md with the table).
private func toStderr(_ text: String) {
    fflush(nil) // every output stream, stdout among them
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
}
