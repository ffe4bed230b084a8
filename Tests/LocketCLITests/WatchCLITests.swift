// `locket watch` against a real daemon: it runs until locketd closes the
// connection, printing one line per event.
import Foundation
import LocketTestSupport
import Testing

@Suite("watch")
struct WatchCLITests {
    /// Runs `locket watch ARGS` in the background with its output in files, waits
    /// until it prints the event of a probe put (so it is watching), runs `actions`,
    /// stops the daemon, and returns what the watch printed after the probes.
    func watching(_ cli: CLI, _ arguments: [String], probeNS: String = "probe",
                  _ actions: () throws -> Void) throws -> ProcessOutput {
        let out = cli.daemon.folder.appending("watch.out"), err = cli.daemon.folder.appending("watch.err")
        let command = ([locketBinary, "watch", "--socket", cli.socket] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let result = ResultBox()
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            if let output = try? Subprocess.shell("\(command) > '\(out)' 2> '\(err)'", environment: cleanEnvironment(), timeout: 60) {
                result.set(output)
            }
            finished.signal()
        }
        let probe = try cli.daemon.connect()
        var probes = 0
        let deadline = Date().addingTimeInterval(20)
        while !((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("probe"), Date() < deadline {
            probes += 1
            _ = try probe.request(#"{"op":"put","ns":"\#(probeNS)","key":"probe","value":\#(probes)}"#)
            usleep(100_000)
        }
        try actions()
        usleep(200_000)
        _ = try cli.daemon.stop()
        #expect(finished.wait(timeout: .now() + 30) == .success, "locket watch did not end when locketd stopped")
        // Drop the probes' lines (the watch may have seen several).
        let printed = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("probe") }.joined(separator: "\n")
        let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        guard var output = result.output else { throw CLIFailure("locket watch did not run") }
        output.stdout = printed
        output.stderr = stderr
        return output
    }

    @Test("--json prints each event as the protocol's object; exits 6 when locketd closes the watch")
    func jsonEvents() throws {
        let cli = try CLI()
        let result = try watching(cli, ["--json"]) {
            try cli.put("app", "k", #"{"token":"secret-token"}"#)
            cli.expect(try cli.run("delete", "app", "k"), status: 0)
            cli.expect(try cli.run("lock"), status: 0)
            cli.expect(try cli.run("unlock"), status: 0)
        }
        expectGolden(result, status: 6, stdout: """
            {"event":"changed","ns":"app","key":"k","version":1,"expires_at":null}
            {"event":"deleted","ns":"app","key":"k"}
            {"event":"locked","reason":"locked on request; unlock it with `locket unlock`"}
            {"event":"unlocked"}

            """, stderr: "locket: locketd closed the watch (it stopped, or this watcher fell behind); watch again and re-sync with `locket list`\n")
        #expect(!result.stdout.contains("secret-token"))
    }

    @Test("NS and --expiring-within: readable lines for that namespace only, expiring before expired")
    func namespaceAndExpiry() throws {
        let cli = try CLI()
        let result = try watching(cli, ["app", "--expiring-within", "60"], probeNS: "app") {
            try cli.put("other", "k", "1")
            try cli.put("app", "short", "1", "--ttl", "1")
            // Until the watch printed the expiry (a fixed sleep would race a loaded machine).
            let out = cli.daemon.folder.appending("watch.out")
            let printed = eventually(timeout: 30) {
                ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("expired  app  short")
            }
            #expect(printed, "the watch never printed the expiry")
        }
        expectGolden(result, status: 6, stdout: """
            changed  app  short  version 1, expires YYYY-MM-DDTHH:MM:SSZ
            expiring  app  short  expires YYYY-MM-DDTHH:MM:SSZ
            expired  app  short

            """, stderr: "locket: locketd closed the watch (it stopped, or this watcher fell behind); watch again and re-sync with `locket list`\n")
    }

    @Test("a refresh under a lease shows as leased, changed, lease_ended (how it ended)")
    func leaseEvents() throws {
        let cli = try CLI()
        let result = try watching(cli, ["app"], probeNS: "app") {
            cli.expect(try cli.run("refresh", "app", "session", "--", "/bin/cat"), status: 0, stdout: "null\n")
        }
        expectGolden(result, status: 6, stdout: """
            leased  app  session  until YYYY-MM-DDTHH:MM:SSZ
            changed  app  session  version 1, expires never
            lease_ended  app  session  stored

            """, stderr: "locket: locketd closed the watch (it stopped, or this watcher fell behind); watch again and re-sync with `locket list`\n")
    }

    @Test("watch while locked exits 3 with the daemon's reason; a negative --expiring-within is a usage error")
    func refusals() throws {
        let cli = try CLI()
        cli.expect(try cli.run("lock"), status: 0)
        cli.expect(try cli.run("watch"), status: 3, stderr: "locket: vault is locked: locked on request; unlock it with `locket unlock`\n")
        let usage = try cli.run("watch", "--expiring-within=-1")
        #expect(usage.status == 2 && usage.stderr.contains("--expiring-within"), "\(usage.stderr)")
    }
}

/// The result of a background run.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: ProcessOutput?

    func set(_ output: ProcessOutput) { lock.withLock { stored = output } }
    var output: ProcessOutput? { lock.withLock { stored } }
}

struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
