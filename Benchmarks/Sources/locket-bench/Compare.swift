import Glibc

/// How much `compare` measures per round: the full run, or the smoke run that only checks it works.
struct ComparePlan {
    let name: String
    let rounds: Int
    let latencyIterations: Int
    let putIterations: Int
    /// Each latency figure's round trips come in this many blocks, old and new taking turns.
    let blocks: Int
    /// Measured seconds of each throughput figure, in `blocks` slices taking turns, each after its own warm-up.
    let throughputSeconds: Double
    let throughputWarmup: Double
    /// How long both daemons are left without requests before their settled RSS is read.
    let settleMicroseconds: UInt32

    static let full = ComparePlan(name: "full", rounds: 10, latencyIterations: 5_000, putIterations: 400, blocks: 4,
                                  throughputSeconds: 2, throughputWarmup: 0.1, settleMicroseconds: 3_500_000)
    static let smoke = ComparePlan(name: "smoke", rounds: 2, latencyIterations: 200, putIterations: 20, blocks: 2,
                                   throughputSeconds: 0.2, throughputWarmup: 0.05, settleMicroseconds: 100_000)

    func with(rounds: Int) -> ComparePlan {
        ComparePlan(name: name, rounds: rounds, latencyIterations: latencyIterations, putIterations: putIterations,
                    blocks: blocks, throughputSeconds: throughputSeconds, throughputWarmup: throughputWarmup,
                    settleMicroseconds: settleMicroseconds)
    }
}

/// `locket-bench compare`: two `locketd` builds measured in one run, interleaved.
/// Every round starts a fresh daemon of each (own socket and data folder, file
/// key store), then runs each measure on both in blocks taking turns (old, new,
/// new, old, ...; new first in even rounds), so drift and the machine's other
/// load hit both alike.
final class Compare {
    static let sides = ["old", "new"]
    /// The daemons of the current round, killed by an exit handler if the run stops on `fatal`.
    nonisolated(unsafe) static var running: Set<pid_t> = []

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
        atexit { for pid in Compare.running { kill(pid, SIGKILL) } }
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
            Compare.running.insert(daemon.pid!)
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
            let gets = latency(daemons, order, get, plan.latencyIterations, placement)
            derive(.latency("get 200 B p50, \(placement)"), gets.mapValues { $0.p50 / 1000 })
            derive(.latency("get 200 B p99, \(placement)"), gets.mapValues { $0.p99 / 1000 })
            let puts = latency(daemons, order, put, plan.putIterations, placement)
            derive(.latency("put 200 B (durable) p50, \(placement)"), puts.mapValues { $0.p50 / 1000 })
            derive(.latency("put 200 B (durable) p99, \(placement)"), puts.mapValues { $0.p99 / 1000 })
        }
        for depth in [1, 16] {
            let gets = rate(daemons, order, "get", connections: 50, depth: depth) { _ in get }
            derive(.rate("get/s, 50 connections × depth \(depth)"), gets.rate)
            derive(.cpu("daemon CPU per get, 50 connections × depth \(depth)"), gets.cpuMicroseconds)
        }
        for connections in [1, 64] {
            let lines = (0..<connections).map { Requests.put("bench", "client-\($0)", Requests.value200) }
            derive(.rate("durable put/s, \(connections) connection\(connections == 1 ? "" : "s")"),
                   rate(daemons, order, "put", connections: connections, depth: 1) { lines[$0] }.rate)
        }
        usleep(200_000)
        record(.memory("daemon RSS right after the run")) { _, daemon in mebibytes(daemon) }
        usleep(plan.settleMicroseconds)
        record(.memory("daemon RSS settled (\(seconds(plan.settleMicroseconds)) s quiet)")) { _, daemon in mebibytes(daemon) }
        for side in order {
            Compare.running.remove(daemons[side]!.pid!)
            let status = daemons[side]!.stop()
            if status != 0 { fatal("the \(side) locketd exited with \(status) on SIGTERM; see \(daemons[side]!.logPath)") }
        }
        results.add(round: round, order: order, load: load, measures: measures, values: values)
        Spawn.run(["/bin/rm", "-rf", folder + "/r\(round)-old", folder + "/r\(round)-new"])
    }

    /// The sides in turn for block `block`: `order`, then reversed, and so on (old, new, new, old, ...).
    private func turns(_ order: [String], _ block: Int) -> [String] {
        block % 2 == 0 ? order : order.reversed()
    }

    /// Sequential round trips of `line`, one connection per daemon, `iterations` each in
    /// `plan.blocks` blocks taking turns, each block after a tenth as many unmeasured.
    private func latency(_ daemons: [String: BenchDaemon], _ order: [String], _ line: [UInt8], _ iterations: Int,
                         _ placement: String) -> [String: Samples] {
        place(daemons, placement)
        defer { place(daemons, "unpinned") }
        var sockets: [String: LineSocket] = [:]
        for side in order {
            sockets[side] = LineSocket(path: daemons[side]!.socketPath)
            expectOK(sockets[side]!.call(line), side, "request")
        }
        var samples: [String: [UInt64]] = [:]
        let perBlock = max(1, iterations / plan.blocks)
        for block in 0..<plan.blocks {
            for side in turns(order, block) {
                let socket = sockets[side]!
                samples[side, default: []] += measure(iterations: perBlock, warmup: max(1, perBlock / 10)) {
                    socket.send(line)
                    socket.readLine()
                }.sorted
            }
        }
        return samples.mapValues { Samples($0) }
    }

    /// Closed-loop throughput (unpinned), ops/s, and the daemon's CPU per answer (µs, every
    /// thread, `/proc` ticks read at each measured window's edges): `plan.blocks` slices per
    /// daemon taking turns.
    private func rate(_ daemons: [String: BenchDaemon], _ order: [String], _ what: String, connections: Int, depth: Int,
                      _ line: @escaping (Int) -> [UInt8]) -> (rate: [String: Double], cpuMicroseconds: [String: Double]) {
        var completed: [String: Int] = [:], seconds: [String: Double] = [:], ticks: [String: Int] = [:]
        for block in 0..<plan.blocks {
            for side in turns(order, block) {
                var generator = LoadGenerator(path: daemons[side]!.socketPath, connections: connections, depth: depth) { c, _ in
                    line(c)
                }
                let window = CPUWindow(pid: daemons[side]!.pid!)
                generator.atWindowEdges = { window.edge(opening: $0) }
                let result = generator.run(seconds: plan.throughputSeconds / Double(plan.blocks), warmup: plan.throughputWarmup)
                expectOK(Array(result.firstAnswer.utf8), side, "\(what) under load")
                completed[side, default: 0] += result.completed
                seconds[side, default: 0] += result.seconds
                ticks[side, default: 0] += window.ticks
            }
        }
        let rate = completed.mapValues(Double.init).merging(seconds) { $0 / $1 }
        let cpu = ticks.mapValues { Double($0) * 1e6 / Double(ProcessCPU.ticksPerSecond) }
            .merging(completed.mapValues(Double.init)) { $0 / max($1, 1) }
        return (rate, cpu)
    }

    /// "pinned": both daemons (every thread) and this thread on CPU 0; "unpinned": anywhere.
    private func place(_ daemons: [String: BenchDaemon], _ placement: String) {
        let cpus: [Int]? = placement == "pinned" ? [0] : nil
        for daemon in daemons.values { Affinity.pinProcess(daemon.pid!, cpus) }
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
