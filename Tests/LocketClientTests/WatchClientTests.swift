import Foundation
import LocketClient
import LocketTestSupport
import Testing

/// `LocketClient.watch` against the real daemon: typed events, blocking and async.
@Suite("LocketClient: watch")
struct WatchClientTests {
    @Test("watch delivers typed events for put, delete, expiry, lock and unlock; close ends next()")
    func blockingEvents() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        let watch = try client.watch(ns: "app", expiringWithin: 60)
        let writer = LocketClient(socketPath: daemon.socketPath)
        let put = try writer.put(ns: "app", key: "alice", valueJSON: Array(#""v""#.utf8), ttl: 1)
        try writer.put(ns: "other", key: "x", valueJSON: Array("1".utf8))
        #expect(try watch.next() == .changed(ns: "app", key: "alice", version: 1, expiresAt: put.expiresAt))
        #expect(try watch.next() == .expiring(ns: "app", key: "alice", expiresAt: put.expiresAt!))
        #expect(try watch.next() == .expired(ns: "app", key: "alice"))
        try writer.put(ns: "app", key: "bob", valueJSON: Array("2".utf8))
        #expect(try writer.delete(ns: "app", key: "bob"))
        try writer.lock()
        try writer.unlock()
        #expect(try watch.next() == .changed(ns: "app", key: "bob", version: 1, expiresAt: nil))
        #expect(try watch.next() == .deleted(ns: "app", key: "bob"))
        guard case .locked(let reason) = try watch.next() else { Issue.record("no locked event"); return }
        #expect(reason.contains("request"))
        #expect(try watch.next() == .unlocked)
        // close() from another thread ends a blocked next() with nil.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { watch.close() }
        #expect(try watch.next() == nil)
    }

    @Test("the async sequence yields the same events and finishes when locketd stops")
    func asyncEvents() async throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        let watch = try await client.watch()
        try await client.put(ns: "app", key: "k", valueJSON: Array("1".utf8))
        try await client.delete(ns: "app", key: "k")
        var seen: [ChangeEvent] = []
        for try await event in watch.events {
            seen.append(event)
            if seen.count == 2 { _ = try daemon.stop() }
        }
        #expect(seen == [.changed(ns: "app", key: "k", version: 1, expiresAt: nil), .deleted(ns: "app", key: "k")])
    }

    @Test("lease events arrive typed: leased, then lease_ended with how it ended")
    func leaseEvents() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        let watch = try client.watch(ns: "app")
        defer { watch.close() }
        let holder = LocketClient(socketPath: daemon.socketPath)
        guard case .granted(let lease) = try holder.lease(ns: "app", key: "alice", duration: 30) else {
            Issue.record("the lease of a fresh key was not granted")
            return
        }
        #expect(try holder.release(lease))
        // A put after them: a client that skipped lease events would return its event first (not hang).
        try holder.put(ns: "app", key: "alice", valueJSON: Array("1".utf8))
        let expiresAt = try #require(lease.expiresAt)
        #expect(try watch.next() == .leased(ns: "app", key: "alice", expiresAt: expiresAt))
        #expect(try watch.next() == .leaseEnded(ns: "app", key: "alice", outcome: "released"))
        #expect(try watch.next() == .changed(ns: "app", key: "alice", version: 1, expiresAt: nil))
    }

    @Test("watch on a locked vault throws locked; a bad namespace throws badRequest")
    func refusals() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        #expect(throws: LocketError.self) { try client.watch(ns: "") }
        let bad = Result { () throws(LocketError) in try client.watch(ns: "a\u{01}") }
        guard case .failure(.badRequest) = bad else { Issue.record("expected badRequest, got \(bad)"); return }
        try client.lock()
        let locked = Result { () throws(LocketError) in try client.watch() }
        guard case .failure(.locked) = locked else { Issue.record("expected locked, got \(locked)"); return }
    }
}
