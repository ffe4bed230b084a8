// locket-example: how an app keeps its login session in locketd.
//
//     locket-example [--socket PATH] [--account NAME] [--refresh]
//
// On start it resumes the saved session; when it is about to expire it is
// refreshed under the daemon's refresh lease (however many copies of the app
// run, one refresh); without one (never saved, logged out) it "logs in" and
// saves the new session. `--refresh` then acts as if the provider had
// rejected the access token (HTTP 401): one refresh, the refresh token rotated.
// Without a daemon it still works: it logs in every time, saving nothing.

import Foundation
import LocketClient

let app = "example-app"

func usage() -> Never {
    FileHandle.standardError.write(Data("usage: locket-example [--socket PATH] [--account NAME] [--refresh]\n".utf8))
    exit(2)
}

var socketPath: String?
var account = "alice"
var refresh = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--socket":
        guard let value = arguments.popFirst() else { usage() }
        socketPath = value
    case "--account":
        guard let value = arguments.popFirst() else { usage() }
        account = value
    case "--refresh": refresh = true
    default: usage()
    }
}

/// A random token, like an identity provider's.
func token(_ prefix: String) -> String {
    var generator = SystemRandomNumberGenerator()
    return prefix + (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
}

/// Stands for the real login (a browser, a password, an OAuth flow).
func fakeLogin(account: String) -> Session {
    Session(idToken: token("id-"), accessToken: token("at-"), refreshToken: token("rt-"),
            expiresAt: Date().addingTimeInterval(3600), state: ["account": account])
}

func timestamp(_ date: Date?) -> String {
    date.map { $0.formatted(.iso8601) } ?? "never"
}

let store = SessionStore(client: LocketClient(socketPath: socketPath, timeout: 3))

/// Stands for the provider's refresh_token grant: new access token, rotated refresh token.
func fakeRefresh(_ current: Session) -> Session {
    var next = current
    next.accessToken = token("at-")
    next.refreshToken = token("rt-")   // the provider rotates it: the old one must never be sent again
    next.expiresAt = Date().addingTimeInterval(3600)
    return next
}

@MainActor func describe(_ resumed: SessionStore.Resumed<Session>) -> String {
    switch resumed.source {
    case .stored: "Resumed session for \(account) (no login needed)"
    case .refreshed: "Refreshed the session for \(account) (this process held the refresh lease; refresh token rotated)"
    case .refreshedElsewhere: "Another process refreshed the session for \(account); using its tokens"
    case .loggedIn: "No saved session: logging in… Logged in; session saved for \(account)"
    }
}

do {
    // The stored session when it is fresh; else one refresh through the lease (other
    // processes of this app wait for it and use its result); else the login.
    var resumed = try store.resume(app: app, account: account, expiresIn: 3600,
                                   refresh: { fakeRefresh($0) }, login: { fakeLogin(account: account) })
    print("\(describe(resumed)); access token expires at \(timestamp(resumed.session.expiresAt))")
    if refresh {
        // As when the provider answers 401: say which version was rejected.
        resumed = try store.resume(app: app, account: account, rejectedVersion: resumed.version, expiresIn: 3600,
                                   refresh: { fakeRefresh($0) }, login: { fakeLogin(account: account) })
        print("\(describe(resumed)); access token expires at \(timestamp(resumed.session.expiresAt))")
    }
} catch LocketError.daemonNotRunning(let path) {
    print("locketd is not running (nothing listens on \(path)): logging in without saving the session…")
    _ = fakeLogin(account: account)
    print("Logged in (session not saved)")
} catch {
    print("locketd cannot keep the session (\(error)): logging in without saving it…")
    _ = fakeLogin(account: account)
    print("Logged in (session not saved)")
}
