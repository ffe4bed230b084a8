import Glibc
import LocketClient

/// `locket-bench load`: a steady `get` load on a daemon someone else started,
/// to profile it (`perf record -p PID` while this runs). Stores one 200 B value first.
enum Profiling {
    static func load(_ arguments: [String]) -> Never {
        guard let connections = Int(arguments[3]), let depth = Int(arguments[4]), let seconds = Double(arguments[5])
        else { fatal("usage: locket-bench load SOCKET CONNECTIONS DEPTH SECONDS") }
        let path = arguments[2]
        _ = LineSocket(path: path).call(Requests.put("bench", "v200", Requests.value200))
        let get = Requests.get("bench", "v200")
        let result = LoadGenerator(path: path, connections: connections, depth: depth) { _, _ in get }
            .run(seconds: seconds, warmup: 0)
        print("get c=\(connections) d=\(depth): \(human(rate: result.rate)) (\(result.completed) in \(result.seconds) s); first answer \(result.firstAnswer.prefix(40))")
        exit(0)
    }

    /// `locket-bench latency SOCKET N`: N sequential 200 B `get` round trips on one
    /// connection (after a put), printing p50 and p99 (durable puts with `--put`); with `--raw` the line is
    /// sent as is (for the echo floor). Pin it with `taskset` to compare placements.
    static func latency(_ arguments: [String]) -> Never {
        guard let iterations = Int(arguments[3]) else { fatal("usage: locket-bench latency SOCKET N [--raw|--put|--random ENTRIES|--fresh [--raw]|--client] [--4k]") }
        let path = arguments[2]
        let socket = LineSocket(path: path)
        // --4k: the 4 KiB value of the one-connection rows instead of the 200 B one.
        let big = arguments.contains("--4k")
        let key = big ? "v4k" : "v200"
        let put = Requests.put("bench", key, big ? "\"" + String(repeating: "k", count: 4094) + "\"" : Requests.value200)
        var requests = [arguments.contains("--put") ? put : Requests.get("bench", key)]
        if let flag = arguments.firstIndex(of: "--random"), flag + 1 < arguments.count, let entries = Int(arguments[flag + 1]), entries > 0 {
            // Gets of random keys among the N entries `fill` stored, as the scale scenario makes them.
            var generator = SystemRandomNumberGenerator()
            requests = (0..<4096).map { _ in Requests.get("scale", "e\(Int.random(in: 0..<entries, using: &generator))") }
        }
        if arguments.contains("--fresh") { fresh(path: path, iterations: iterations, raw: arguments.contains("--raw"), put: put) }
        if arguments.contains("--client") { client(path: path, iterations: iterations, put: put) }
        if arguments.contains("--raw") {
            socket.send(Array("SIZE \(big ? 4230 : 330)\n".utf8))
        } else {
            _ = socket.call(put)
        }
        var next = 0
        // --trace FILE: every round trip's start (ns since the first) and duration, in order, to find what the slow ones share.
        let tracing = option("--trace")
        var trace: [(UInt64, UInt64)] = []
        if tracing != nil { trace.reserveCapacity(iterations) }
        let samples = measure(iterations: iterations, warmup: iterations / 10) {
            let start = tracing == nil ? 0 : now()
            _ = socket.call(requests[next % requests.count])
            next += 1
            if start != 0 && next > iterations / 10 { trace.append((start, now() - start)) }
        }
        if let file = tracing, let first = trace.first?.0 {
            writeFile(file, trace.map { "\($0.0 - first) \($0.1)\n" }.joined())
        }
        print("p50 \(human(ns: samples.quantile(0.5))) p99 \(human(ns: samples.quantile(0.99))) n=\(iterations)"
              + " (p90 \(human(ns: samples.quantile(0.9))), p99.9 \(human(ns: samples.quantile(0.999))),"
              + " mean \(human(ns: Double(samples.sorted.reduce(0, +)) / Double(max(1, samples.sorted.count)))))")
        exit(0)
    }

    /// `latency … --client`: the same `get`s through `LocketClient` (the in-process row's client).
    private static func client(path: String, iterations: Int, put: [UInt8]) -> Never {
        _ = LineSocket(path: path).call(put)
        let client = LocketClient(socketPath: path)
        let samples = measure(iterations: iterations, warmup: iterations / 10) { _ = try! client.get(ns: "bench", key: "v200") }
        print("LocketClient.get: p50 \(human(ns: samples.quantile(0.5))) p99 \(human(ns: samples.quantile(0.99))) n=\(iterations)")
        exit(0)
    }

    /// `latency … --fresh`: every round trip on a connection of its own (connect, one
    /// `get`, its answer, close), as a short-lived client such as a credential helper
    /// makes it; with `--raw`, the same against the echo server (`SIZE` and one line).
    private static func fresh(path: String, iterations: Int, raw: Bool, put: [UInt8]) -> Never {
        if !raw { _ = LineSocket(path: path).call(put) }
        let request = raw ? Array("SIZE 330\nx\n".utf8) : Requests.get("bench", "v200")
        let samples = measure(iterations: iterations, warmup: iterations / 10) { FreshConnection.roundTrip(path, request) }
        print("fresh connections: p50 \(human(ns: samples.quantile(0.5))) p99 \(human(ns: samples.quantile(0.99))) n=\(iterations)")
        exit(0)
    }

    /// `locket-bench fill SOCKET N`: stores N 200 B entries (64 connections, depth 16),
    /// as the scale scenario does, to look at the daemon's memory afterwards.
    static func fill(_ arguments: [String]) -> Never {
        guard let total = Int(arguments[3]) else { fatal("usage: locket-bench fill SOCKET N") }
        let counter = Counter(0)
        let result = LoadGenerator(path: arguments[2], connections: 64, depth: 16) { _, _ in
            Requests.put("scale", "e\(counter.next())", Requests.value200)
        }.run(total: total)
        print("stored \(result.completed) in \(result.seconds) s (\(human(rate: result.rate))); first answer \(result.firstAnswer.prefix(40))")
        exit(0)
    }

    /// `locket-bench leases SOCKET ROUNDS`: the refresh-lease scenarios alone
    /// (uncontended lease + store vs put, and 16 waiters for ROUNDS rounds).
    static func leases(_ arguments: [String]) -> Never {
        guard let rounds = Int(arguments[3]) else { fatal("usage: locket-bench leases SOCKET ROUNDS") }
        let solo = LeaseBench.uncontended(path: arguments[2], iterations: rounds * 10)
        print("lease + put under it: p50 \(human(ns: solo.lease.p50)) p99 \(human(ns: solo.lease.p99)); plain put: p50 \(human(ns: solo.put.p50)) p99 \(human(ns: solo.put.p99)) (n=\(solo.put.count))")
        let contended = LeaseBench.contended(path: arguments[2], rounds: rounds)
        print("16 waiters, holder's put sent -> last waiter has it: p50 \(human(ns: contended.last.p50)) p99 \(human(ns: contended.last.p99)); each waiter p50 \(human(ns: contended.all.p50)) p99 \(human(ns: contended.all.p99)); holder's put p50 \(human(ns: contended.holderPut.p50)) (rounds=\(rounds), anomalies=\(contended.anomalies))")
        exit(0)
    }
}
