// Fault: the wall clock jumps (an NTP step, `date -s`, a resumed VM) under the
// real daemon, through libfaketime (`FakeClock`). Expiry is wall-clock based
// (protocol §8: "Expiry uses the daemon's clock"): `expires_at` is the put's
// wall time plus ttl, and an entry is live while `expires_at` is after the
// daemon's wall clock. SwiftNIO's timers use the monotonic clock, which is not faked.
import Foundation
import LocketTestSupport
import Testing

@Suite("Fault: clock jumps")
struct ClockJumpTests {
    /// Kills a daemon a failed test left running, and what libfaketime left of it.
    private func stop(_ daemon: Daemon) {
        guard let pid = daemon.pid else { return }
        daemon.kill9()
        FakeClock.removeLeftovers(of: pid)
    }

    private func daemon(_ clock: FakeClock) throws -> Daemon {
        let daemon = Daemon(environment: try clock.environment())
        try daemon.start()
        return daemon
    }

    @Test("forward past an expiry: get not_found, list and status omit it; back again: it does not come back")
    func forwardThenBack() throws {
        let clock = try FakeClock()
        let daemon = try daemon(clock)
        defer { stop(daemon) }
        let client = try daemon.connect()
        let put = try client.put("clock", "session", ["token": "t"], ttl: 3600)
        #expect(put.ok, "\(put)")
        #expect(try client.put("clock", "forever", "kept").ok)
        #expect(try client.status().int("entries") == 2)

        try clock.set(offset: 2 * 3600)
        #expect(try client.get("clock", "session").code == "not_found")
        #expect(try client.list("clock").listedKeys() == ["forever"])
        let status = try client.status()
        #expect(status.int("entries") == 1, "\(status)")
        // Uptime is not wall-clock time: a jump of two hours does not add two hours.
        #expect((status.int("uptime_s") ?? .max) < 600, "\(status)")

        try clock.set(offset: 0)
        let after = try client.get("clock", "session")
        #expect(after.code == "not_found", "the expired entry came back when the clock was set back: \(after)")
        #expect(try client.list("clock").listedKeys() == ["forever"])
        #expect(try client.status().int("entries") == 1)
        #expect(try client.get("clock", "forever").valueJSON == canonicalJSON("kept"))
        #expect(try daemon.stop() == 0)

        // And not after a restart either.
        try daemon.start()
        #expect(try daemon.connect().get("clock", "session").code == "not_found")
        #expect(try daemon.stop() == 0)
    }

    @Test("forward past an expiry with only list looking: the entry does not come back when the clock is set back")
    func forwardSeenByListOnly() throws {
        let clock = try FakeClock()
        let daemon = try daemon(clock)
        defer { stop(daemon) }
        let client = try daemon.connect()
        #expect(try client.put("clock", "session", "v", ttl: 60).ok)
        try clock.set(offset: 120)
        #expect(try client.list().listedKeys() == [])
        try clock.set(offset: 0)
        #expect(try client.list().listedKeys() == [])
        #expect(try client.get("clock", "session").code == "not_found")
        #expect(try daemon.stop() == 0)
    }

    @Test("back in time: a put stamps the daemon's (earlier) time, with expires_at = created_at + ttl, and is live; live entries stay live")
    func putDuringBackwardJump() throws {
        let clock = try FakeClock()
        let daemon = try daemon(clock)
        defer { stop(daemon) }
        let client = try daemon.connect()
        let early = try client.put("clock", "before", "b", ttl: 3600)
        let earlyExpiry = try #require(try client.get("clock", "before").date("expires_at"))
        #expect(early.ok)

        try clock.set(offset: -2 * 3600)
        let stepBack = Date().addingTimeInterval(-2 * 3600)
        let put = try client.put("clock", "during", ["token": "d"], ttl: 600)
        #expect(put.ok, "\(put)")
        let entry = try client.get("clock", "during")
        #expect(entry.ok, "\(entry)")
        let created = try #require(entry.date("created_at"))
        let expires = try #require(entry.date("expires_at"))
        #expect(expires.timeIntervalSince(created) == 600, "\(entry)")
        #expect(abs(created.timeIntervalSince(stepBack)) < 60, "created_at \(created) is not the daemon's stepped-back time \(stepBack)")
        #expect(try client.put("clock", "during", ["token": "d2"], ttl: 600).int("version") == 2)
        // An entry stored before the step keeps its expiry, and is live.
        let before = try client.get("clock", "before")
        #expect(before.ok && before.date("expires_at") == earlyExpiry, "\(before)")
        #expect(Set(try client.list("clock").listedKeys()) == ["before", "during"])

        // Back to real time: the entry stamped in the past is judged by its own expires_at (now past).
        try clock.set(offset: 0)
        #expect(try client.get("clock", "during").code == "not_found")
        #expect(try client.get("clock", "before").ok)
        #expect(try daemon.stop() == 0)
    }

    @Test("an entry put during a forward jump expires by the jumped clock: after the clock is set back it stays live until its stamped expiry")
    func putDuringForwardJump() throws {
        let clock = try FakeClock()
        let daemon = try daemon(clock)
        defer { stop(daemon) }
        let client = try daemon.connect()
        try clock.set(offset: 3600)
        #expect(try client.put("clock", "ahead", "a", ttl: 60).ok)
        let expires = try #require(try client.get("clock", "ahead").date("expires_at"))
        #expect(expires.timeIntervalSinceNow > 3600)
        try clock.set(offset: 0)
        let entry = try client.get("clock", "ahead")
        #expect(entry.ok && entry.date("expires_at") == expires, "\(entry)")
        #expect(try daemon.stop() == 0)
    }
}
