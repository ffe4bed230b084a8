import Foundation
import LocketClient
import LocketTestSupport
import Testing

/// Save → resume → fall back to login, through the session API.
@Suite("SessionStore: save, resume, fall back to login")
struct SessionStoreTests {
    @Test("a saved session resumes on the next start, equal to what was saved")
    func saveAndResume() throws {
        let daemon = try Daemon.started()
        let store = SessionStore(client: LocketClient(socketPath: daemon.socketPath))
        #expect(try store.resume(app: "mail", account: "ada") == nil)
        let session = Session(idToken: "id", accessToken: "at", refreshToken: "rt",
                              expiresAt: Date(timeIntervalSince1970: 1_900_000_000), state: ["theme": "dark"])
        #expect(try store.save(session, app: "mail", account: "ada", expiresIn: 3600) == 1)
        // A new client, as after an app restart.
        let resumed = try SessionStore(client: LocketClient(socketPath: daemon.socketPath)).resume(app: "mail", account: "ada")
        #expect(resumed == session)
    }

    @Test("an expired session is gone: resume returns nil and the app shows its login")
    func expiredFallsBack() throws {
        let daemon = try Daemon.started()
        let store = SessionStore(client: LocketClient(socketPath: daemon.socketPath))
        // 4 s: a loaded machine still resumes it before it expires; then a wait past the expiry.
        let saved = Date()
        try store.save(Session(accessToken: "short"), app: "mail", account: "ada", expiresIn: 4)
        #expect(try store.resume(app: "mail", account: "ada") != nil)
        Thread.sleep(until: saved.addingTimeInterval(5.1))
        #expect(try store.resume(app: "mail", account: "ada") == nil)
    }

    @Test("an app's own Codable type round-trips")
    func customType() throws {
        struct Tokens: Codable, Equatable { var access: String; var scopes: [String]; var issued: Date }
        let daemon = try Daemon.started()
        let store = SessionStore(client: LocketClient(socketPath: daemon.socketPath))
        let tokens = Tokens(access: "a", scopes: ["read", "write"], issued: Date(timeIntervalSince1970: 1_800_000_000))
        try store.save(tokens, app: "tool", account: "me")
        #expect(try store.resume(Tokens.self, app: "tool", account: "me") == tokens)
    }

    @Test("two processes refreshing a rotating refresh token: only the first is stored, the second gets it")
    func rotatingRefreshToken() throws {
        let daemon = try Daemon.started()
        let a = SessionStore(client: LocketClient(socketPath: daemon.socketPath))
        let b = SessionStore(client: LocketClient(socketPath: daemon.socketPath))
        try a.save(Session(accessToken: "at0", refreshToken: "rt0"), app: "mail", account: "ada")
        // B has read rt0 and is refreshing when A stores rt1 first.
        let outcome = try b.update(app: "mail", account: "ada") { old in
            #expect(old.refreshToken == "rt0")
            _ = try a.update(app: "mail", account: "ada") { current in
                var next = current
                next.refreshToken = "rt1"
                return next
            }
            var mine = old
            mine.refreshToken = "rt-revoked"
            return mine
        }
        guard case .superseded(let winner) = outcome else {
            Issue.record("expected .superseded, got \(outcome)")
            return
        }
        #expect(winner.refreshToken == "rt1")
        #expect(try a.resume(app: "mail", account: "ada")?.refreshToken == "rt1")
    }

    @Test("update of a missing session says so; remove logs out")
    func missingAndRemove() throws {
        let daemon = try Daemon.started()
        let store = SessionStore(client: LocketClient(socketPath: daemon.socketPath))
        guard case .missing = try store.update(app: "mail", account: "nobody", { $0 }) else {
            Issue.record("expected .missing")
            return
        }
        try store.save(Session(accessToken: "x"), app: "mail", account: "ada")
        #expect(try store.remove(app: "mail", account: "ada"))
        #expect(try store.resume(app: "mail", account: "ada") == nil)
    }
}
