// Issue 7, part 2, "Crash durability": concurrent clients put and delete while
// locketd is SIGKILLed at random moments and restarted; every acknowledged
// write survives with its value and version, nothing unacknowledged is half
// done, and the store opens cleanly. The driver is the `locket-soak` binary
// (Tests/LocketSoak); `make soak` runs it for 100+ cycles.
import Foundation
import LocketTestSupport
import Testing

@Suite("Crash soak", .serialized)
struct CrashSoakTests {
    @Test("10 SIGKILL-and-restart cycles under 8 concurrent writers lose no acknowledged write, half-do nothing and reopen cleanly")
    func tenCyclesLoseNothing() throws {
        let run = try Soak.run(["--cycles", "10", "--clients", "8"])
        #expect(run.status == 0, "locket-soak failed:\n\(run.report)")
        #expect(run.report.hasPrefix("locket-soak: PASS\n"), "\(run.report)")
        #expect(run.figure("writes lost") == 0, "\(run.report)")
        #expect(run.figure("mismatches") == 0, "\(run.report)")
        #expect(run.figure("unclean opens") == 0, "\(run.report)")
        #expect(run.report.contains("\nclean opens: 10 of 10 "), "\(run.report)")
        // The run tested something: writes of every kind were acknowledged, and the kills
        // landed on requests in flight.
        #expect((run.figure("acknowledged puts") ?? 0) > 100, "\(run.report)")
        #expect((run.figure("acknowledged deletes") ?? 0) > 10, "\(run.report)")
        #expect((run.figure("in flight at kill") ?? 0) >= 10, "\(run.report)")
    }

    @Test("the checker reports an entry deleted, overwritten or added behind the clients' backs, and the run fails")
    func checkerCatchesTampering() throws {
        let run = try Soak.run(["--cycles", "4", "--clients", "4", "--self-test"])
        #expect(run.status == 1, "\(run.report)")
        #expect(run.report.hasPrefix("locket-soak: FAIL\n"), "\(run.report)")
        let note = try #require(run.report.split(separator: "\n").first { $0.hasPrefix("self-test: deleted ") }, "\(run.report)")
        // "self-test: deleted NS/KEY, overwrote NS/KEY, added soak.stray/intruder behind the clients' backs in cycle N"
        // (the first restart with two settled entries: cycle 1 unless a loaded machine was slow).
        let words = note.split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
        let deleted = words[2], altered = words[4], cycle = try #require(words.last)
        #expect(run.report.contains("\nLOST (cycle \(cycle)): \(deleted): "), "\(run.report)")
        #expect(run.report.contains("\nMISMATCH (cycle \(cycle)): \(altered): "), "\(run.report)")
        #expect(run.report.contains("\nMISMATCH (cycle \(cycle)): soak.stray/intruder: listed, but no client ever wrote it"), "\(run.report)")
        #expect(run.figure("writes lost") == 1, "\(run.report)")
        #expect(run.figure("mismatches") == 2, "\(run.report)")
    }

    @Test("the checker reports acknowledged writes as lost when the restart discards the write-ahead log")
    func checkerCatchesDiscardedWAL() throws {
        // A real loss, not an API call: a launcher that deletes vault.sqlite-wal (and -shm)
        // before each start, as a daemon that answered before its commit was durable would lose it.
        let folder = TemporaryFolder("locket-soak-wal")
        let launcher = try Soak.launcher(in: folder, before: #"rm -f "$data/vault.sqlite-wal" "$data/vault.sqlite-shm""#)
        let run = try Soak.run(["--cycles", "10", "--clients", "4", "--locketd", launcher])
        #expect(run.status == 1, "\(run.report)")
        // Mostly the writes since the last checkpoint are lost. A kill in the middle of a
        // checkpoint leaves a database file that needs its WAL: without it the store is
        // malformed, which the checker reports as an unclean open instead.
        let lost = run.figure("writes lost") ?? 0, unclean = run.figure("unclean opens") ?? 0
        #expect(lost > 0 || unclean > 0, "\(run.report)")
        if lost > 0 { #expect(run.report.contains("\nLOST (cycle "), "\(run.report)") }
    }

    @Test("the checker reports an unclean open when the restarted daemon comes up locked")
    func checkerCatchesLockedRestart() throws {
        // The file key store's key is gone at the restart: the daemon starts locked.
        let folder = TemporaryFolder("locket-soak-key")
        let launcher = try Soak.launcher(in: folder, before: #"rm -f "$data"/master-*.key"#)
        let run = try Soak.run(["--cycles", "3", "--clients", "2", "--locketd", launcher])
        #expect(run.status == 1, "\(run.report)")
        #expect(run.figure("unclean opens") == 1, "\(run.report)")
        #expect(run.report.contains("\nUNCLEAN (cycle 1): the restarted daemon is locked: "), "\(run.report)")
    }

    @Test("usage errors exit 2 and say what is wrong")
    func usageErrors() throws {
        let zero = try Subprocess.run(Soak.binary, ["--cycles", "0"])
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--cycles: not a positive integer: 0"), "\(zero.stderr)")
        let missing = try Subprocess.run(Soak.binary, ["--locketd", "/nonexistent/locketd"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("is not an executable file"), "\(missing.stderr)")
    }
}

/// Runs the built `locket-soak` and reads its summary.
enum Soak {
    static var binary: String { Subprocess.product("locket-soak") }

    struct Run {
        var status: Int32
        /// The summary (stdout); no secret: keys and values are test data.
        var report: String

        /// The number after "NAME: " at the start of a summary line.
        func figure(_ name: String) -> Int? {
            guard let line = report.split(separator: "\n").first(where: { $0.hasPrefix("\(name): ") }) else { return nil }
            return Int(line.dropFirst(name.count + 2).prefix { $0.isNumber })
        }
    }

    /// A `--locketd` for the negative tests: a script that runs `command` (with `$data`
    /// the daemon's data folder) before every start of this package's locketd.
    static func launcher(in folder: TemporaryFolder, before command: String) throws -> String {
        let path = folder.appending("locketd-launcher")
        try """
            #!/bin/bash
            data=""; previous=""
            for argument in "$@"; do [ "$previous" = "--data-dir" ] && data="$argument"; previous="$argument"; done
            \(command)
            exec \(Daemon.binary) "$@"

            """.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        return path
    }

    static func run(_ arguments: [String]) throws -> Run {
        let output = try Subprocess.run(binary, arguments, timeout: 600)
        return Run(status: output.status, report: output.stdout)
    }
}
