import Foundation
import LocketClient
import LocketTestSupport

/// The soak: the real `locketd` (the `Daemon` fixture: file key store, its own
/// temporary data folder and socket), client threads writing to it, and per
/// cycle a SIGKILL at a random moment, a restart on the same data folder and a
/// full check of what the restarted daemon holds.
final class SoakRun {
    let options: SoakOptions
    private var summary: Summary
    private var random: SeededRandom
    private let daemon: Daemon
    private var clients: [SoakClient] = []
    /// `--self-test`: whether the store has been tampered with yet.
    private var tampered = false
    private let gate = Gate()
    private let threadsDone = DispatchGroup()

    init(options: SoakOptions) {
        self.options = options
        random = SeededRandom(seed: options.seed, stream: -1)
        // The fixture runs its own build's locketd; another one is put in its place by a
        // launcher that drops the fixture's binary from the command line and execs the given one.
        let launcher = options.locketd.map { ["/bin/sh", "-c", #"shift; exec "$0" "$@""#, $0] } ?? []
        daemon = Daemon(launcher: launcher)
        summary = Summary(options: options, locketd: options.locketd ?? Daemon.binary)
    }

    /// Runs every cycle (or until one finds something) and returns the figures.
    func run() -> Summary {
        let started = Date()
        do {
            try daemon.start(timeout: 60)
        } catch {
            add(.unclean, cycle: 0, "locketd did not start: \(error)")
            summary.elapsed = Date().timeIntervalSince(started)
            return summary
        }
        startClients()
        for cycle in 1...options.cycles {
            let clean = runCycle(cycle)
            summary.cyclesDone = cycle
            if !clean { break }
            if cycle % max(1, options.cycles / 10) == 0 || cycle == options.cycles { progress(cycle) }
        }
        gate.finish()
        threadsDone.wait()
        summary.clients = clients.map(\.tally).reduce(ClientTally(), +)
        stopDaemon()
        keepFolder()
        summary.elapsed = Date().timeIntervalSince(started)
        return summary
    }

    // MARK: - Steps

    private func startClients() {
        clients = (0..<options.clients).map {
            SoakClient(index: $0, keys: options.keysPerClient, socketPath: daemon.socketPath, seed: options.seed)
        }
        for client in clients {
            threadsDone.enter()
            let gate = gate, done = threadsDone
            // One thread per client: a dispatch pool would cap the concurrency at the core count.
            Thread {
                var seen = 0
                while let round = gate.nextRound(after: seen) {
                    seen = round
                    client.runRound()
                    gate.park()
                }
                done.leave()
            }.start()
        }
    }

    /// One cycle: the clients write, locketd is killed, they stop, it restarts,
    /// the store is checked. False when the cycle found anything.
    private func runCycle(_ cycle: Int) -> Bool {
        let before = summary.findings.count
        gate.release()
        usleep(UInt32(Int.random(in: options.killDelay, using: &random)) * 1000)
        if let status = daemon.waitForExit(timeout: 0) {
            add(.unclean, cycle: cycle, "locketd exited by itself (status \(status)) before the kill; log:\n\(logTail())")
        } else {
            daemon.kill9()
        }
        guard gate.waitUntilParked(clients.count, timeout: 90) else {
            add(.mismatch, cycle: cycle, "the clients did not all stop within 90 s of the kill")
            return false
        }
        for client in clients {
            for anomaly in client.anomalies { add(.mismatch, cycle: cycle, anomaly) }
            client.anomalies.removeAll()
        }
        let logStart = daemon.log.utf8.count
        if random.chance(options.startupKillPercent) && !killDuringStartUp(cycle) { return false }
        let restarting = Date()
        do {
            try daemon.start(timeout: 60)
        } catch {
            add(.unclean, cycle: cycle, "locketd did not restart: \(error)")
            return false
        }
        summary.slowestRestart = max(summary.slowestRestart, Date().timeIntervalSince(restarting))
        let verifier = LocketClient(socketPath: daemon.socketPath, timeout: 30, environment: [:])
        defer { verifier.disconnect() }
        // Under load the first cycle can end before two entries are settled: tamper at
        // the first restart that has them.
        if options.selfTest && !tampered { tampered = tamper(through: verifier, cycle: cycle) }
        let names = clients.flatMap { $0.keys.map { (ns: $0.ns, key: $0.key) } }
        let observation: Observation
        switch Result(catching: { () throws(Observation.ReadError) in try Observation.read(through: verifier, names: names) }) {
        case .success(let read): observation = read
        case .failure(let error):
            add(.unclean, cycle: cycle, "\(error)")
            return false
        }
        if let status = observation.status, status.locked {
            add(.unclean, cycle: cycle, "the restarted daemon is locked: \(status.lockReason ?? "no reason given")")
            return false
        }
        checkOpen(observation, log: String(daemon.log.utf8.dropFirst(logStart)) ?? "", cycle: cycle)
        var checker = Checker(cycle: cycle)
        checker.check(clients, against: observation, at: Date())
        summary.findings += checker.findings
        summary.inFlight.applied += checker.inFlight.applied
        summary.inFlight.notApplied += checker.inFlight.notApplied
        summary.inFlight.neverReached += checker.inFlight.neverReached
        summary.inFlight.sameEitherWay += checker.inFlight.sameEitherWay
        summary.keysChecked += checker.keysChecked
        return summary.findings.count == before
    }

    /// Starts the daemon and kills it again 0-300 ms later, while it opens and recovers
    /// the store. False when it could not be started or died by itself.
    private func killDuringStartUp(_ cycle: Int) -> Bool {
        do {
            try daemon.spawn()
        } catch {
            add(.unclean, cycle: cycle, "locketd did not restart: \(error)")
            return false
        }
        usleep(UInt32(Int.random(in: 0...300_000, using: &random)))
        if let status = daemon.waitForExit(timeout: 0) {
            add(.unclean, cycle: cycle, "locketd exited by itself (status \(status)) during start-up; log:\n\(logTail())")
            return false
        }
        daemon.kill9()
        summary.startupKills += 1
        return true
    }

    /// The store opened cleanly: unlocked, no unreadable record, the entry count agrees,
    /// no error in the daemon's log since the restart, and SQLite finds the database file sound.
    private func checkOpen(_ observation: Observation, log: String, cycle: Int) {
        let before = summary.findings.count
        for line in log.split(separator: "\n") {
            let level = line.split(separator: " ").dropFirst().first
            if level == "error" || level == "critical" { add(.unclean, cycle: cycle, "locketd logged: \(line.prefix(300))") }
        }
        if let status = observation.status, status.entries != observation.listed.count {
            add(.unclean, cycle: cycle, "status counts \(status.entries) entries, list returned \(observation.listed.count)")
        }
        if observation.unreadable > 0 { add(.unclean, cycle: cycle, "list skipped \(observation.unreadable) unreadable records") }
        let integrity = IntegrityCheck.run(database: daemon.dataDirectory + "/vault.sqlite")
        if integrity != "ok" { add(.unclean, cycle: cycle, "integrity_check: \(integrity)") }
        if summary.findings.count == before { summary.cleanOpens += 1 }
    }

    /// `--self-test`: changes the store behind the clients' backs, as a lost write
    /// would: deletes one acknowledged entry, overwrites another, adds one no client wrote.
    /// True once it tampered (or tried and failed); false when nothing was settled yet.
    private func tamper(through client: LocketClient, cycle: Int) -> Bool {
        var settled: [KeyModel] = []
        for soakClient in clients {
            for (index, key) in soakClient.keys.enumerated() where key.entry != nil && soakClient.pending?.keyIndex != index {
                settled.append(key)
            }
        }
        guard settled.count >= 2 else {
            summary.selfTestNote = "self-test: fewer than two settled entries to tamper with"
            return false
        }
        let deleted = settled[0], altered = settled[settled.count / 2]
        let result = Result { () throws(LocketError) in
            try client.delete(ns: deleted.ns, key: deleted.key)
            try client.put(ns: altered.ns, key: altered.key, valueJSON: Array(#"{"tampered":true}"#.utf8))
            try client.put(ns: "soak.stray", key: "intruder", valueJSON: Array("1".utf8))
        }
        if case .failure(let error) = result {
            summary.selfTestNote = "self-test: tampering failed: \(error)"
        } else {
            summary.selfTestNote = "self-test: deleted \(deleted.name), overwrote \(altered.name), added soak.stray/intruder behind the clients' backs in cycle \(cycle)"
        }
        return true
    }

    private func stopDaemon() {
        guard daemon.pid != nil else { return }
        do {
            let status = try daemon.stop(timeout: 30)
            if status != 0 { add(.unclean, cycle: summary.cyclesDone, "locketd exited \(status) on SIGTERM; log:\n\(logTail())") }
        } catch {
            add(.unclean, cycle: summary.cyclesDone, "\(error)")
        }
    }

    /// `--keep DIR`: the daemon's folder (data, key file, log) outlives the run there.
    private func keepFolder() {
        guard let keep = options.keep else { return }
        do {
            try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            let copy = try Subprocess.run("/bin/cp", ["-a", daemon.folder.path + "/.", keep])
            if copy.status != 0 { FileHandle.standardError.write(Data("locket-soak: copying to \(keep) failed: \(copy.stderr)\n".utf8)) }
        } catch {
            FileHandle.standardError.write(Data("locket-soak: cannot keep the folder in \(keep): \(error)\n".utf8))
        }
    }

    private func progress(_ cycle: Int) {
        let tally = clients.map(\.tally).reduce(ClientTally(), +)
        let line = "locket-soak: cycle \(cycle)/\(options.cycles): \(tally.putsAcknowledged) puts and \(tally.deletesAcknowledged) deletes acknowledged, \(summary.inFlight.total) in flight at kills resolved, \(summary.findings.count) findings\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private func add(_ kind: Finding.Kind, cycle: Int, _ text: String) {
        summary.findings.append(Finding(kind: kind, cycle: cycle, text: text))
    }

    /// The last lines of the daemon's log (it holds no secret: the daemon logs ops, codes and sizes only).
    private func logTail() -> String {
        daemon.log.split(separator: "\n").suffix(20).joined(separator: "\n")
    }
}
