import Glibc

/// A closed-loop load generator on one thread (like redis-benchmark): `connections`
/// sockets, each keeping `depth` requests in flight; poll() for answers, and
/// every answer read sends the next request on that connection. One thread
/// leaves the other core to the server on a 2-core machine.
struct LoadGenerator {
    let path: String
    let connections: Int
    let depth: Int
    /// The request line (with its newline) for connection `c`, request number `n` on it.
    let request: (_ connection: Int, _ sequence: Int) -> [UInt8]
    /// Sent once on each connection before the load, with no answer expected (the echo server's `SIZE n`).
    var preamble: [UInt8]? = nil
    /// Called with `true` when the measured window opens (after the warm-up) and with
    /// `false` when it closes: to read the server's CPU time at the moments the answers
    /// are counted between.
    var atWindowEdges: ((_ opening: Bool) -> Void)? = nil

    struct Result {
        let completed: Int
        let seconds: Double
        var rate: Double { Double(completed) / seconds }
        /// The first answer seen, to check the requests succeed.
        let firstAnswer: String
    }

    /// Runs for `seconds` after `warmup` seconds, or until `total` answers (whichever is given).
    func run(seconds: Double? = nil, warmup: Double = 0, total: Int? = nil) -> Result {
        let sockets = (0..<connections).map { _ in LineSocket(path: path) }
        if let preamble { sockets.forEach { $0.send(preamble) } }
        var sent = [Int](repeating: 0, count: connections)
        var answered = [Int](repeating: 0, count: connections)
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        var firstAnswer: [UInt8] = []
        var totalSent = 0
        func sendNext(_ c: Int, count: Int) {
            guard count > 0 else { return }
            var batch: [UInt8] = []
            for _ in 0..<count {
                if let total, totalSent >= total { break }
                batch += request(c, sent[c])
                sent[c] += 1
                totalSent += 1
            }
            if !batch.isEmpty { sockets[c].send(batch) }
        }
        for c in 0..<connections { sendNext(c, count: depth) }
        var fds = sockets.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        let begin = now()
        let warmupEnd = begin + UInt64(warmup * 1e9)
        let end = seconds.map { warmupEnd + UInt64($0 * 1e9) }
        var counted = 0
        var countStart: UInt64 = warmup > 0 ? 0 : begin
        if countStart != 0 { atWindowEdges?(true) }
        var done = 0
        while true {
            let ready = poll(&fds, nfds_t(fds.count), 30_000)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { fatal("load generator: no answer for 30 s") }
            let time = now()
            if countStart == 0 && time >= warmupEnd {
                countStart = time
                atWindowEdges?(true)
            }
            if let end, time >= end { break }
            for c in 0..<connections where fds[c].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(fds[c].fd, $0.baseAddress!, $0.count, 0) }
                if count <= 0 { fatal("load generator: connection closed") }
                if firstAnswer.isEmpty, let newline = buffer[0..<count].firstIndex(of: 0x0A) {
                    firstAnswer = Array(buffer[0..<newline])
                }
                var lines = 0
                buffer.withUnsafeBufferPointer { bytes in
                    for index in 0..<count where bytes[index] == 0x0A { lines += 1 }
                }
                answered[c] += lines
                done += lines
                if countStart != 0 { counted += lines }
                sendNext(c, count: lines)
            }
            if let total, done >= total { break }
        }
        let elapsed = Double(now() - (countStart == 0 ? begin : countStart)) / 1e9
        atWindowEdges?(false)
        return Result(completed: total != nil ? done : counted, seconds: elapsed,
                      firstAnswer: String(decoding: firstAnswer, as: UTF8.self))
    }
}
