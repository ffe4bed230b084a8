import Foundation
import LocketTestSupport
import Testing

/// 16 real processes share one session against a real token server with
/// rotating refresh tokens and reuse detection (Tests/LeaseFixtures).
@Suite("Refresh leases: many processes, one session", .serialized)
struct ManyProcessesTests {
    /// Every access token is good for this many resource calls (short-lived, deterministically).
    static let accessUses = 8
    static let cycles = 200

    /// Runs `kinds` (one process each) until the server has counted `target` refreshes.
    static func run(_ kinds: [WorkerKind], target: Int, fixture: LeaseFixture, timeout: Double) throws
        -> [(kind: WorkerKind, status: Int32, report: [String: Any], stderr: String)] {
        let workers = try kinds.map { try fixture.start($0.command(target: target, fixture: fixture), extraEnvironment: ["LEASE_TARGET": String(target)]) }
        let deadline = Date().addingTimeInterval(timeout)
        return zip(kinds, workers).map { kind, worker in
            let (status, report, stderr) = worker.finish(timeout: max(1, deadline.timeIntervalSinceNow))
            return (kind, status, report, stderr)
        }
    }

    @Test("16 processes (locket refresh and the Swift client): one refresh per expired token, nothing reused or revoked")
    func leaseRun() throws {
        let fixture = try LeaseFixture(accessUses: Self.accessUses)
        let kinds: [WorkerKind] = Array(repeating: .cli, count: 4) + Array(repeating: .swiftLease, count: 12)
        let started = Date()
        let results = try Self.run(kinds, target: Self.cycles, fixture: fixture, timeout: 240)
        let seconds = Date().timeIntervalSince(started)
        for result in results {
            #expect(result.status == 0 && result.report["final_ok"] as? Bool == true,
                    "a \(result.kind) worker ended without a working token (status \(result.status)): \(result.report) \(result.stderr.suffix(500))")
        }
        let stats = try fixture.tokens.stats()
        print("lease run: \(String(format: "%.1f", seconds)) s, server counters \(stats.sorted { $0.key < $1.key })")
        print("lease run: workers \(results.map { "\($0.kind): \($0.report["refreshed_here"] ?? "?")/\($0.report["refresh_rounds"] ?? $0.report["refresh_runs"] ?? "?")" })")
        #expect(stats["refreshes", default: 0] >= Self.cycles)
        #expect(stats["reuses"] == 0)
        #expect(stats["revocations"] == 0)
        #expect(stats["double_refreshes"] == 0, "an expired access token was refreshed twice")
        #expect(stats["early_refreshes"] == 0, "a refresh happened while the access token still worked")
        #expect(stats["logins"] == 1, "only the first process logs in (the others wait for it)")
        let refreshedHere = results.reduce(0) { $0 + ($1.report["refreshed_here"] as? Int ?? 0) }
        #expect(refreshedHere == stats["refreshes"], "every refresh the server saw was stored by the process that made it")
    }

    @Test("16 locket refresh processes: every refresh by the CLI, still one refresh per expired token")
    func cliHeavyRun() throws {
        let fixture = try LeaseFixture(accessUses: Self.accessUses)
        let kinds: [WorkerKind] = Array(repeating: .cli, count: 16)
        let results = try Self.run(kinds, target: 15, fixture: fixture, timeout: 240)
        for result in results {
            #expect(result.status == 0 && result.report["final_ok"] as? Bool == true,
                    "a \(result.kind) worker ended without a working token (status \(result.status)): \(result.report) \(result.stderr.suffix(500))")
        }
        let stats = try fixture.tokens.stats()
        let byCLI = results.filter { $0.kind == .cli }.reduce(0) { $0 + ($1.report["refreshed_here"] as? Int ?? 0) }
        print("cli run: \(byCLI) of \(stats["refreshes", default: 0]) refreshes by locket refresh; counters \(stats.sorted { $0.key < $1.key })")
        #expect(stats["refreshes", default: 0] >= 15)
        // The first login ran under the lease too (its COMMAND logs in when there is no session).
        #expect(byCLI == stats["refreshes", default: 0] + stats["logins", default: 0], "every refresh was made and stored by a locket refresh holder")
        #expect(stats["logins"] == 1)
        #expect(stats["reuses"] == 0)
        #expect(stats["revocations"] == 0)
        #expect(stats["double_refreshes"] == 0)
        #expect(stats["early_refreshes"] == 0)
    }

    @Test("the control: the same run with if_version-only clients gets the token family revoked")
    func controlRun() throws {
        let fixture = try LeaseFixture(accessUses: Self.accessUses)
        try fixture.seedSession()
        let results = try Self.run(Array(repeating: .swiftCAS, count: 16), target: 20, fixture: fixture, timeout: 120)
        let stats = try fixture.tokens.stats()
        print("control run: server counters \(stats.sorted { $0.key < $1.key })")
        #expect(stats["reuses", default: 0] >= 1, "16 processes refreshing at once with if_version alone should reuse a refresh token")
        #expect(stats["revocations", default: 0] >= 1)
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
    }
}
