// locket-example: how an app keeps its login session in locketd.
//
//     locket-example [--socket PATH] [--account NAME] [--refresh]
//
// On start it resumes the saved session; without one (never saved, logged
// out, or expired: the daemon forgets it after its ttl) it "logs in" and
// saves the new session for an hour. `--refresh` rotates the refresh token
// with a compare-and-swap, as an app does when its access token runs out.
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

do {
    if let session = try store.resume(app: app, account: account), (session.expiresAt ?? .distantFuture) > Date() {
        print("Resumed session for \(account) (no login needed); access token expires at \(timestamp(session.expiresAt))")
        if refresh {
            let outcome = try store.update(app: app, account: account, expiresIn: 3600) { current in
                var next = current
                next.accessToken = token("at-")
                next.refreshToken = token("rt-")   // the provider rotates it: the old one is revoked
                next.expiresAt = Date().addingTimeInterval(3600)
                return next
            }
            switch outcome {
            case .updated(let next):
                print("Refreshed: refresh token rotated; access token expires at \(timestamp(next.expiresAt))")
            case .superseded(let stored):
                print("Another process refreshed first; using its session (expires at \(timestamp(stored.expiresAt)))")
            case .missing:
                print("The session vanished meanwhile: log in again")
            }
        }
    } else {
        print("No saved session: logging in…")
        let session = fakeLogin(account: account)
        try store.save(session, app: app, account: account, expiresIn: 3600)
        print("Logged in; session saved for \(account) (expires at \(timestamp(session.expiresAt)))")
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
