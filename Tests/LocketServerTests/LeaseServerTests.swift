// Refresh leases across connections of the real daemon (PROTOCOL.md, "Refresh
// leases"): what one connection cannot show in a vector.
import Foundation
import LocketTestSupport
import Testing

@Suite("Refresh leases across connections")
struct LeaseServerTests {
    static let lease = #"{"op":"lease","ns":"app","key":"k","stale_version":1}"#

    /// Whether `client` has no line to read for a short moment (it is still waiting).
    static func waiting(_ client: LineClient) -> Bool {
        (try? client.readLine(timeout: 0.3)) == nil
    }

    static func seeded() throws -> (Daemon, LineClient) {
        let daemon = try Daemon.started()
        let holder = try daemon.connect()
        _ = try holder.request(#"{"op":"put","ns":"app","key":"k","value":{"rt":"r1"}}"#)
        return (daemon, holder)
    }

    @Test("one holder; every waiter gets the holder's store, not a lease")
    func waitersGetTheStore() throws {
        let (daemon, holder) = try Self.seeded()
        let granted = try holder.requestJSON(Self.lease)
        #expect(granted["granted"] as? Bool == true)
        let waiters = try (0..<4).map { _ in try daemon.connect() }
        for waiter in waiters { try waiter.sendLine(Self.lease) }
        #expect(waiters.allSatisfy(Self.waiting), "a waiter was answered while the lease was held")
        let token = try #require(granted["lease"] as? String)
        let put = try holder.requestJSON(#"{"op":"put","ns":"app","key":"k","value":{"rt":"r2"},"lease":"\#(token)"}"#)
        #expect(put["version"] as? Int == 2)
        for waiter in waiters {
            let answer = try LineClient.object(try waiter.readLine(timeout: 20))
            #expect(answer["granted"] as? Bool == false)
            #expect(answer["version"] as? Int == 2)
            #expect((answer["value"] as? [String: Any])?["rt"] as? String == "r2")
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("release and close hand the lease to the waiters in the order they asked")
    func firstInFirstOut() throws {
        let (daemon, holder) = try Self.seeded()
        let granted = try holder.requestJSON(Self.lease)
        let second = try daemon.connect(), third = try daemon.connect()
        try second.sendLine(Self.lease)
        #expect(Self.waiting(second))
        try third.sendLine(Self.lease)
        #expect(Self.waiting(third))
        let released = try holder.requestJSON(#"{"op":"release","ns":"app","key":"k","lease":"\#(granted["lease"] as? String ?? "")"}"#)
        #expect(released["released"] as? Bool == true)
        let next = try LineClient.object(try second.readLine(timeout: 20))
        #expect(next["granted"] as? Bool == true)
        #expect((next["entry"] as? [String: Any])?["version"] as? Int == 1)
        #expect(Self.waiting(third), "only the first waiter gets the lease")
        second.close()   // the holder's connection closes: the lease ends at once
        let last = try LineClient.object(try third.readLine(timeout: 20))
        #expect(last["granted"] as? Bool == true)
        #expect(try daemon.stop() == 0)
    }

    @Test("a lease ends after its duration: the waiter gets it and the old holder's put is conflict")
    func expiry() throws {
        let daemon = try Daemon.started(arguments: ["--lease-max-duration", "1"])
        let holder = try daemon.connect()
        let granted = try holder.requestJSON(#"{"op":"lease","ns":"app","key":"k","duration":600}"#)
        #expect(granted["duration"] as? Int == 1, "the daemon grants at most its maximum")
        let waiter = try daemon.connect()
        try waiter.sendLine(#"{"op":"lease","ns":"app","key":"k"}"#)
        let answer = try LineClient.object(try waiter.readLine(timeout: 30))
        #expect(answer["granted"] as? Bool == true)
        let late = try holder.request(#"{"op":"put","ns":"app","key":"k","value":1,"lease":"\#(granted["lease"] as? String ?? "")"}"#)
        #expect(LineClient.errorCode(late) == "conflict")
        #expect(try daemon.stop() == 0)
    }

    @Test("a delete answers the waiters not_found; a lock answers them locked")
    func deleteAndLock() throws {
        let (daemon, holder) = try Self.seeded()
        _ = try holder.requestJSON(Self.lease)
        let waiter = try daemon.connect(), other = try daemon.connect()
        try waiter.sendLine(Self.lease)
        #expect(Self.waiting(waiter))
        _ = try other.request(#"{"op":"delete","ns":"app","key":"k"}"#)
        #expect(LineClient.errorCode(try waiter.readLine(timeout: 20)) == "not_found")
        let again = try holder.requestJSON(#"{"op":"lease","ns":"app","key":"k"}"#)
        #expect(again["granted"] as? Bool == true, "the delete ended the holder's lease too")
        try waiter.sendLine(#"{"op":"lease","ns":"app","key":"k"}"#)
        #expect(Self.waiting(waiter))
        _ = try other.request(#"{"op":"lock"}"#)
        #expect(LineClient.errorCode(try waiter.readLine(timeout: 20)) == "locked")
        #expect(try daemon.stop() == 0)
    }

    @Test("a waiting lease answers unavailable when the daemon stops, and the stop is not held up")
    func shutdown() throws {
        let (daemon, holder) = try Self.seeded()
        _ = try holder.requestJSON(Self.lease)
        let waiter = try daemon.connect()
        try waiter.sendLine(Self.lease)
        #expect(Self.waiting(waiter))
        daemon.signal(SIGTERM)
        #expect(LineClient.errorCode(try waiter.readLine(timeout: 20)) == "unavailable")
        holder.close()
        waiter.close()
        #expect(daemon.waitForExit(timeout: 30) == 0)
    }

    @Test("watchers see grants and how leases end; the audit log records them")
    func watchAndAudit() throws {
        let (daemon, holder) = try Self.seeded()
        let watcher = try daemon.connect()
        _ = try watcher.request(#"{"op":"watch","ns":"app"}"#)
        let granted = try holder.requestJSON(Self.lease)
        _ = try holder.request(#"{"op":"put","ns":"app","key":"k","value":2,"lease":"\#(granted["lease"] as? String ?? "")"}"#)
        let second = try holder.requestJSON(#"{"op":"lease","ns":"app","key":"k"}"#)
        _ = try holder.request(#"{"op":"release","ns":"app","key":"k","lease":"\#(second["lease"] as? String ?? "")"}"#)
        let events = try watcher.readLines(5, timeout: 20).map { try LineClient.object($0) }
        #expect(events.map { $0["event"] as? String } == ["leased", "changed", "lease_ended", "leased", "lease_ended"])
        #expect(events.compactMap { $0["outcome"] as? String } == ["stored", "released"])
        // The audit log is written in batches: read until all five records are in.
        var leaseOps: [String] = []
        let deadline = Date().addingTimeInterval(20)
        repeat {
            let audit = try holder.requestJSON(#"{"op":"audit","ns":"app"}"#)
            let items = audit["items"] as? [[String: Any]] ?? []
            leaseOps = items.filter { ($0["op"] as? String)?.hasPrefix("lease") == true || $0["op"] as? String == "release" }
                .map { "\($0["op"] ?? "")=\($0["outcome"] ?? "")" }
            if leaseOps.count >= 5 { break }
            usleep(50_000)
        } while Date() < deadline
        // A lease's end is recorded as it happens, before the answer of the request that ended it.
        #expect(leaseOps == ["lease=granted", "lease_end=stored", "lease=granted", "lease_end=released", "release=ok"])
        #expect(try daemon.stop() == 0)
    }

    @Test("pipelined on one connection: a second lease on the same entry is conflict, program order holds")
    func pipelined() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        try client.send(#"{"id":1,"op":"lease","ns":"app","key":"k"}"# + "\n" + #"{"id":2,"op":"lease","ns":"app","key":"k"}"# + "\n"
                        + #"{"id":3,"op":"put","ns":"app","key":"k","value":1}"# + "\n" + #"{"id":4,"op":"lease","ns":"app","key":"k","stale_version":0}"# + "\n")
        let answers = try client.readLines(4, timeout: 20).map { try LineClient.object($0) }
        #expect(answers[0]["granted"] as? Bool == true)
        #expect((answers[1]["error"] as? [String: Any])?["code"] as? String == "conflict")
        #expect(answers[2]["version"] as? Int == 1)
        #expect(answers[3]["granted"] as? Bool == false, "the put before it is seen: version 1 is not the stale 0")
        #expect(try daemon.stop() == 0)
    }
}
