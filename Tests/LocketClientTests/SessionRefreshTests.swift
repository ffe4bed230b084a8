import Foundation
import LocketClient
import LocketTestSupport
import Testing

/// `SessionStore.resume(…refresh:login:)`: stored, refreshed under the lease,
/// refreshed elsewhere, or logged in; and the lease calls of `LocketClient`.
@Suite("SessionStore: resume with refresh through the lease")
struct SessionRefreshTests {
    struct Failed: Error {}

    static func session(_ tag: String, expiresIn: TimeInterval) -> Session {
        Session(accessToken: "at-\(tag)", refreshToken: "rt-\(tag)", expiresAt: Date(timeIntervalSinceNow: expiresIn))
    }

    @Test("no session: login, stored; fresh: stored, no refresh; stale: one refresh, stored")
    func sources() throws {
        let daemon = try Daemon.started()
        let store = SessionStore(client: LocketClient(socketPath: daemon.socketPath))
        let first = try store.resume(app: "mail", account: "ada", refresh: { _ in throw Failed() },
                                     login: { Self.session("1", expiresIn: 3600) })
        #expect(first.source == .loggedIn)
        #expect(first.version == 1)
        let second = try store.resume(app: "mail", account: "ada", refresh: { _ in throw Failed() }, login: { throw Failed() })
        #expect(second.source == .stored)
        #expect(second.session.accessToken == "at-1")
        _ = try store.save(Self.session("2", expiresIn: 5), app: "mail", account: "ada")   // within the 30 s margin: stale
        let third = try store.resume(app: "mail", account: "ada", refresh: { old in
            #expect(old.refreshToken == "rt-2")
            return Self.session("3", expiresIn: 3600)
        }, login: { throw Failed() })
        #expect(third.source == .refreshed)
        #expect(third.version == 3)
        #expect(try store.resume(app: "mail", account: "ada")?.accessToken == "at-3")
    }

    @Test("a failed refresh falls back to login; a failed login stores nothing and releases the lease")
    func fallbacks() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        let store = SessionStore(client: client)
        try store.save(Self.session("1", expiresIn: 3600), app: "mail", account: "ada")
        let relogged = try store.resume(app: "mail", account: "ada", rejectedVersion: 1,
                                        refresh: { _ in throw Failed() }, login: { Self.session("2", expiresIn: 3600) })
        #expect(relogged.source == .loggedIn)
        #expect(relogged.session.accessToken == "at-2")
        #expect(throws: Failed.self) {
            try store.resume(app: "mail", account: "ada", rejectedVersion: 2, refresh: { _ in throw Failed() }, login: { throw Failed() })
        }
        #expect(try store.resume(app: "mail", account: "ada")?.accessToken == "at-2", "nothing was stored")
        // Released: another connection gets the lease at once (it would wait otherwise).
        let other = LocketClient(socketPath: daemon.socketPath)
        guard case .granted(let lease) = try other.lease(ns: "mail", key: "ada", wait: 10) else {
            Issue.record("the lease was not released")
            return
        }
        #expect(try other.release(lease))
    }

    @Test("a rejected version that is no longer live: the newer session, no refresh")
    func refreshedElsewhere() throws {
        let daemon = try Daemon.started()
        let store = SessionStore(client: LocketClient(socketPath: daemon.socketPath))
        try store.save(Self.session("1", expiresIn: 3600), app: "mail", account: "ada")
        try store.save(Self.session("2", expiresIn: 3600), app: "mail", account: "ada")
        let resumed = try store.resume(app: "mail", account: "ada", rejectedVersion: 1,
                                       refresh: { _ in throw Failed() }, login: { throw Failed() })
        #expect(resumed.source == .refreshedElsewhere)
        #expect(resumed.version == 2)
    }

    @Test("eight threads with their own connections find the session stale at once: one refresh")
    func oneRefreshForMany() throws {
        let daemon = try Daemon.started()
        try SessionStore(client: LocketClient(socketPath: daemon.socketPath))
            .save(Self.session("old", expiresIn: 1), app: "mail", account: "ada")
        let refreshes = Guarded(0)
        let sources = Guarded([SessionStore.Source]())
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let store = SessionStore(client: LocketClient(socketPath: daemon.socketPath, timeout: 30))
            let resumed = try? store.resume(app: "mail", account: "ada", refresh: { _ in
                refreshes.withLock { $0 += 1 }
                Thread.sleep(forTimeInterval: 0.2)   // the others ask meanwhile and wait
                return Self.session("new", expiresIn: 3600)
            }, login: { throw Failed() })
            sources.withLock { $0.append(resumed?.source ?? .stored) }
        }
        #expect(refreshes.withLock { $0 } == 1)
        let all = sources.withLock { $0 }
        #expect(all.filter { $0 == .refreshed }.count == 1)
        // The others waited for it, or (starting late on a loaded machine) found it stored.
        #expect(all.filter { $0 == .refreshedElsewhere || $0 == .stored }.count == 7)
    }
}

/// A value behind a lock, for the threads of one test.
private final class Guarded<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
