import Glibc

/// How much `compare` measures per round: the full run, or the smoke run that only checks it works.
struct ComparePlan {
    let name: String
    let rounds: Int
    let latencyIterations: Int
    let putIterations: Int
    let throughputSeconds: Double
    let throughputWarmup: Double
    /// How long both daemons are left without requests before their settled RSS is read.
    let settleMicroseconds: UInt32

    static let full = ComparePlan(name: "full", rounds: 10, latencyIterations: 5_000, putIterations: 300,
                                  throughputSeconds: 2, throughputWarmup: 0.5, settleMicroseconds: 3_500_000)
    static let smoke = ComparePlan(name: "smoke", rounds: 2, latencyIterations: 200, putIterations: 20,
                                   throughputSeconds: 0.2, throughputWarmup: 0.05, settleMicroseconds: 100_000)

    func with(rounds: Int) -> ComparePlan {
        ComparePlan(name: name, rounds: rounds, latencyIterations: latencyIterations, putIterations: putIterations,
                    throughputSeconds: throughputSeconds, throughputWarmup: throughputWarmup,
                    settleMicroseconds: settleMicroseconds)
    }
}

/// `locket-bench compare`: two `locketd` builds measured in one run, interleaved.
/// Every round starts a fresh daemon of each (own socket and data folder, file
/// key store), then runs each measure on one and right after on the other, the
/// order swapped every round (old first in odd rounds, new first in even ones),
/// so drift and the machine's other load hit both alike.
final class Compare {
    static let sides = ["old", "new"]

    let plan: ComparePlan
    let binaries: [String: String]
    let folder: String
    let results: CompareResults

    init(plan: ComparePlan, old: String, new: String, folder: String, results: CompareResults) {
        self.plan = plan
        binaries = ["old": old + "/locketd", "new": new + "/locketd"]
        self.folder = folder
        self.results = results
    }

    func runAll() {
        for round in 1...plan.rounds { run(round: round) }
    }

    private func run(round: Int) {
        let order: [String] = round % 2 == 1 ? Compare.sides : Compare.sides.reversed()
        let load = loadAverage()
        note("round \(round) of \(plan.rounds) (\(order.joined(separator: ", ")) first; load \(load))")
        var daemons: [String: BenchDaemon] = [:]
        for side in order {
            let place = folder + "/r\(round)-\(side)"
            mkdir(place, 0o700)
            let daemon = BenchDaemon(binary: binaries[side]!, folder: place)
            daemon.start()
            daemons[side] = daemon
            expectOK(LineSocket(path: daemon.socketPath).call(Requests.put("bench", "v200", Requests.value200)), side, "put")
        }
        var measures: [CompareResults.Measure] = []
        var values: [String: [String: Double]] = [:]
        func record(_ measure: CompareResults.Measure, _ body: (String, BenchDaemon) -> Double) {
            measures.append(measure)
            for side in order { values[measure.name, default: [:]][side] = body(side, daemons[side]!) }
        }
        func derive(_ measure: CompareResults.Measure, _ figures: [String: Double]) {
            measures.append(measure)
            values[measure.name] = figures
        }
        let get = Requests.get("bench", "v200")
        let put = Requests.put("bench", "p-v200", Requests.value200)
        for placement in ["pinned", "unpinned"] {
            var gets: [String: Samples] = [:], puts: [String: Samples] = [:]
            record(.latency("get 200 B p50, \(placement)")) { side, daemon in
                gets[side] = latency(daemon, side, get, plan.latencyIterations, placement)
                return gets[side]!.p50 / 1000
            }
            derive(.latency("get 200 B p99, \(placement)"), gets.mapValues { $0.p99 / 1000 })
            record(.latency("put 200 B (durable) p50, \(placement)")) { side, daemon in
                puts[side] = latency(daemon, side, put, plan.putIterations, placement)
                return puts[side]!.p50 / 1000
            }
            derive(.latency("put 200 B (durable) p99, \(placement)"), puts.mapValues { $0.p99 / 1000 })
        }
        for depth in [1, 16] {
            record(.rate("get/s, 50 connections × depth \(depth)")) { side, daemon in
                rate(daemon, side, "get", connections: 50, depth: depth) { _ in get }
            }
        }
        for connections in [1, 64] {
            let lines = (0..<connections).map { Requests.put("bench", "client-\($0)", Requests.value200) }
            record(.rate("durable put/s, \(connections) connection\(connections == 1 ? "" : "s")")) { side, daemon in
                rate(daemon, side, "put", connections: connections, depth: 1) { lines[$0] }
            }
        }
        usleep(200_000)
        record(.memory("daemon RSS right after the run")) { _, daemon in mebibytes(daemon) }
        usleep(plan.settleMicroseconds)
        record(.memory("daemon RSS settled (\(seconds(plan.settleMicroseconds)) s quiet)")) { _, daemon in mebibytes(daemon) }
        for side in order {
            let status = daemons[side]!.stop()
            if status != 0 { fatal("the \(side) locketd exited with \(status) on SIGTERM; see \(daemons[side]!.logPath)") }
        }
        results.add(round: round, order: order, load: load, measures: measures, values: values)
        Spawn.run(["/bin/rm", "-rf", folder + "/r\(round)-old", folder + "/r\(round)-new"])
    }

    /// Sequential round trips of `line` on one connection, after a tenth as many unmeasured.
    private func latency(_ daemon: BenchDaemon, _ side: String, _ line: [UInt8], _ iterations: Int,
                         _ placement: String) -> Samples {
        place(daemon, placement)
        defer { place(daemon, "unpinned") }
        let socket = LineSocket(path: daemon.socketPath)
        expectOK(socket.call(line), side, "request")
        return measure(iterations: iterations, warmup: iterations / 10) {
            socket.send(line)
            socket.readLine()
        }
    }

    /// Closed-loop throughput (unpinned), ops/s.
    private func rate(_ daemon: BenchDaemon, _ side: String, _ what: String, connections: Int, depth: Int,
                      _ line: @escaping (Int) -> [UInt8]) -> Double {
        let generator = LoadGenerator(path: daemon.socketPath, connections: connections, depth: depth) { c, _ in line(c) }
        let result = generator.run(seconds: plan.throughputSeconds, warmup: plan.throughputWarmup)
        expectOK(Array(result.firstAnswer.utf8), side, "\(what) under load")
        return result.rate
    }

    /// "pinned": the daemon (every thread) and this thread on CPU 0; "unpinned": anywhere.
    private func place(_ daemon: BenchDaemon, _ placement: String) {
        let cpus: [Int]? = placement == "pinned" ? [0] : nil
        Affinity.pinProcess(daemon.pid!, cpus)
        Affinity.pinThread(cpus)
    }

    private func mebibytes(_ daemon: BenchDaemon) -> Double {
        Double(residentKiB(daemon.pid!)) / 1024
    }

    /// Both daemons' answer formats: success is `"ok":true`.
    private func expectOK(_ answer: [UInt8], _ side: String, _ what: String) {
        let text = String(decoding: answer, as: UTF8.self)
        if !text.contains("\"ok\":true") { fatal("\(what) to the \(side) locketd failed: \(text.prefix(200))") }
    }
}

/// The 1, 5 and 15 minute load averages.
func loadAverage() -> String {
    (readFile("/proc/loadavg") ?? "").split(separator: " ").prefix(3).joined(separator: " ")
}

private func seconds(_ microseconds: UInt32) -> String {
    let value = Double(microseconds) / 1e6
    return value == value.rounded() ? String(Int(value)) : String(value)
}
