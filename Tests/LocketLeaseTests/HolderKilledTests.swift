import Foundation
import LocketTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A `locket refresh` holder killed with SIGKILL: its connection closes, so a
/// waiter takes the lease over at once (not after the lease's 60 s), and the
/// kernel kills its COMMAND (parent-death signal).
@Suite("Refresh leases: a holder killed")
struct HolderKilledTests {
    /// Starts `locket refresh … -- COMMAND` and returns once COMMAND runs (so the lease is held).
    static func holder(_ fixture: LeaseFixture, stale: Int, command: [String]) throws -> (Worker, child: Int32) {
        let holder = try fixture.start([Subprocess.product("locket"), "refresh", LeaseFixture.ns, LeaseFixture.key,
                                        "--stale-version", String(stale), "--"] + command)
        let deadline = Date().addingTimeInterval(30)
        while holder.children.isEmpty {
            guard Date() < deadline, holder.process.isRunning else { throw FixtureError("the holder's COMMAND never started") }
            usleep(20_000)
        }
        return (holder, holder.children[0])
    }

    static func waiter(_ fixture: LeaseFixture, rejected: Int) throws -> Worker {
        try fixture.start([Subprocess.product("locket-lease-worker"), "--once", "--rejected-version", String(rejected),
                           "--socket", fixture.daemon.socketPath, "--port", String(fixture.tokens.port),
                           "--ns", LeaseFixture.ns, "--key", LeaseFixture.key])
    }

    @Test("killed before it calls the provider: a waiter takes over at once and nothing is revoked")
    func killedBeforeRefresh() throws {
        let fixture = try LeaseFixture(accessUses: 8)
        let version = try fixture.seedSession()
        let (holder, child) = try Self.holder(fixture, stale: version, command: ["/bin/sleep", "60"])
        let waiter = try Self.waiter(fixture, rejected: version)
        usleep(300_000)
        #expect(waiter.process.isRunning, "the waiter must wait while the lease is held")
        let killed = Date()
        kill(holder.pid, SIGKILL)
        let (status, report, stderr) = waiter.finish(timeout: 40)
        let takeover = Date().timeIntervalSince(killed)
        print("holder killed before refresh: the waiter finished \(String(format: "%.2f", takeover)) s later: \(report)")
        #expect(status == 0, "\(stderr)")
        #expect(report["source"] as? String == "refreshed")
        #expect(report["final_ok"] as? Bool == true)
        #expect(takeover < 30, "the waiter got the lease only when it expired (60 s), not when the holder died")
        #expect(processGone(child, within: 10), "the holder's COMMAND outlived it")
        _ = holder.finish(timeout: 5)
        let stats = try fixture.tokens.stats()
        #expect(stats["refreshes"] == 1)
        #expect(stats["reuses"] == 0)
        #expect(stats["revocations"] == 0)
    }

    @Test("killed after the provider rotated the token, before storing it: the family is lost; the app logs in again cleanly")
    func killedAfterRotation() throws {
        let fixture = try LeaseFixture(accessUses: 8)
        let version = try fixture.seedSession()
        let marker = fixture.folder.appending("rotated")
        // Spends the refresh token at the provider, then hangs before printing (so nothing is stored).
        let script = "\(LeaseFixture.python) \(LeaseFixture.fixtures)/lease_worker.py refresh-command > /dev/null && touch \(marker) && exec sleep 60"
        let (holder, _) = try Self.holder(fixture, stale: version, command: ["/bin/sh", "-c", script])
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: marker) {
            guard Date() < deadline else { throw FixtureError("the refresh command never rotated the token") }
            usleep(20_000)
        }
        let waiter = try Self.waiter(fixture, rejected: version)
        usleep(300_000)
        kill(holder.pid, SIGKILL)
        let (status, report, stderr) = waiter.finish(timeout: 40)
        _ = holder.finish(timeout: 5)
        print("holder killed after rotation: \(report)")
        #expect(status == 0, "\(stderr)")
        #expect(report["source"] as? String == "loggedIn", "the stale refresh token is refused, so the app must log in")
        #expect(report["final_ok"] as? Bool == true)
        let stats = try fixture.tokens.stats()
        #expect(stats["reuses"] == 1, "the waiter's refresh with the old token is the one reuse")
        #expect(stats["revocations"] == 1)
        #expect(stats["logins"] == 2, "the seed and the fallback login")
    }
}
