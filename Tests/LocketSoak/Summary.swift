import Foundation

/// The figures of a run and its one-screen report.
struct Summary {
    var options: SoakOptions
    var locketd: String
    var cyclesDone = 0
    var cleanOpens = 0
    /// Restarts killed again during start-up.
    var startupKills = 0
    /// The slowest restart, spawn to serving, in seconds (reported, never asserted).
    var slowestRestart = 0.0
    var clients = ClientTally()
    var inFlight = InFlightTally()
    var keysChecked = 0
    var findings: [Finding] = []
    var selfTestNote: String?
    var elapsed = 0.0

    func count(_ kind: Finding.Kind) -> Int { findings.count { $0.kind == kind } }
    var passed: Bool { findings.isEmpty && cyclesDone == options.cycles }

    /// The report: figures first, then up to 40 findings.
    var text: String {
        let c = clients
        var lines = [
            "locket-soak: \(passed ? "PASS" : "FAIL")",
            "cycles: \(cyclesDone) of \(options.cycles) (SIGKILL after \(options.killDelay.lowerBound)-\(options.killDelay.upperBound) ms, restart on the same data folder)",
            "clients: \(options.clients), \(options.keysPerClient) keys each, seed \(options.seed)",
            "locketd: \(locketd)",
            "acknowledged puts: \(c.putsAcknowledged) (\(c.putsCreating) creating, \(c.putsWithTTL) with ttl, \(c.putsWithIfVersion) with if_version)",
            "acknowledged deletes: \(c.deletesAcknowledged) (\(c.deletesOfAbsentKeys) of absent keys)",
            "conflicts as expected: \(c.conflictsAsExpected); reads checked: \(c.readsChecked); slowest answer: \(String(format: "%.2f", c.slowestAnswer)) s",
            "in flight at kill: \(inFlight.total): \(inFlight.applied) applied, \(inFlight.notApplied) not applied (\(inFlight.neverReached) never reached the daemon), \(inFlight.sameEitherWay) same state either way",
            "keys verified: \(keysChecked)",
            "clean opens: \(cleanOpens) of \(cyclesDone) (status unlocked, nothing unreadable, no error logged, integrity_check ok)",
            "killed during start-up: \(startupKills); slowest restart: \(String(format: "%.2f", slowestRestart)) s",
            "writes lost: \(count(.lost))",
            "mismatches: \(count(.mismatch))",
            "unclean opens: \(count(.unclean))",
            "elapsed: \(String(format: "%.1f", elapsed)) s",
        ]
        if let selfTestNote { lines.append(selfTestNote) }
        lines += findings.prefix(40).map(\.line)
        if findings.count > 40 { lines.append("… and \(findings.count - 40) more findings") }
        return lines.joined(separator: "\n")
    }
}
