import Glibc

/// A connection per request: connect, one line out, its answer back, close, as a
/// short-lived client (a credential helper, `locket get` in a script) makes them.
/// The lean client (no buffer to allocate, one `recv` per answer) keeps the
/// client's own cost small beside the server's.
enum FreshConnection {
    /// One round trip on a connection of its own; `line` is the whole request (with
    /// the echo server: `SIZE n` and one line). Fatal if it cannot connect or no answer comes.
    static func roundTrip(_ path: String, _ line: [UInt8]) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, withUnixAddress(path, { connect(fd, $0, $1) }) == 0 else { fatal("cannot connect to \(path)") }
        defer { close(fd) }
        line.withUnsafeBytes { _ = send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            while true {
                let count = recv(fd, buffer.baseAddress!, buffer.count, 0)
                if count <= 0 { fatal("the connection to \(path) ended before its answer") }
                if buffer[..<count].contains(0x0A) { return }
            }
        }
    }
}

extension Bench {
    /// A connection per `get` against the same on the echo server, unpinned, and
    /// the daemon's CPU per such connection (context for `git credential fill`:
    /// what a client that connects once costs the daemon beyond its request).
    func freshConnections() {
        let group = "a connection per request, unpinned"
        let iterations = plan.freshIterations
        let get = Requests.get("bench", "v200")
        let answerLength = LineSocket(path: daemon.socketPath).call(get).count
        let echoLine = Array("SIZE \(answerLength)\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: get.count - 1) + [0x0A]
        let floor = results.add("floor: raw echo, a connection per line (thread per connection)", "unpinned", group: group,
                                measure(iterations: iterations, warmup: iterations / 10) {
            FreshConnection.roundTrip(echoPath, echoLine)
        })
        let pid = daemon.pid!
        _ = ProcessCPU.waitUntilQuiet(pid, timeout: 10)
        var started = timespec(), ended = timespec()
        clock_gettime(CLOCK_MONOTONIC, &started)
        let ticksBefore = ProcessCPU.ticks(pid)
        let locket = results.add("get 200 B, a connection per get", "unpinned", group: group,
                                 measure(iterations: iterations, warmup: 0) {
            FreshConnection.roundTrip(daemon.socketPath, get)
        })
        let ticks = ProcessCPU.ticks(pid) - ticksBefore
        clock_gettime(CLOCK_MONOTONIC, &ended)
        let seconds = Double(ended.tv_sec - started.tv_sec) + Double(ended.tv_nsec - started.tv_nsec) / 1e9
        let cpu = CPUPerRequest(ticks: ticks, requests: iterations, seconds: seconds)
        results.compare("get on a connection of its own p50 ÷ raw echo on one p50", locket.p50 / floor.p50, unit: "x",
                        target: "–", met: nil, detail: "\(human(ns: locket.p50)) vs \(human(ns: floor.p50)); p99 \(human(ns: locket.p99)) vs \(human(ns: floor.p99))")
        results.compare("daemon CPU per connection with one get (utime + stime ÷ connections)", cpu.nanoseconds / 1000, unit: "µs",
                        target: "–", met: nil, detail: cpu.summary.replacingOccurrences(of: " gets in", with: " connections in"))
        results.resources["daemon_cpu_per_fresh_connection_ns"] = cpu.nanoseconds.rounded()
    }
}
