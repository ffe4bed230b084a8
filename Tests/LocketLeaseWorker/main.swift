// A process that uses one shared session against the test token server, for
// the refresh-lease tests: it calls the resource until it gets 401, then
//   --mode lease: SessionStore.resume(rejectedVersion:) (one refresh per expired token);
//   --mode cas:   today's way, `if_version` only (refresh, then put if the version is unchanged),
// until the server has counted --target refreshes; then it makes sure its token
// works and prints one JSON line of counts (exit 0 only if the final token works).
// --once: resume once with --rejected-version and report how (for the kill tests).
import Foundation
import LocketClient
import LocketTestSupport

struct Options {
    var mode = "lease"
    var socket: String?
    var port: UInt16 = 0
    var ns = "app"
    var key = "alice"
    var target = 0
    var once = false
    var rejectedVersion: Int?

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            let value = { rest.popFirst() ?? "" }
            switch flag {
            case "--mode": mode = value()
            case "--socket": socket = value()
            case "--port": port = UInt16(value()) ?? 0
            case "--ns": ns = value()
            case "--key": key = value()
            case "--target": target = Int(value()) ?? 0
            case "--once": once = true
            case "--rejected-version": rejectedVersion = Int(value())
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8)); exit(2)
            }
        }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let server = TestTokenServer(port: options.port)
let client = LocketClient(socketPath: options.socket, timeout: 30)
let store = SessionStore(client: client)
var counts: [String: Int] = ["calls": 0, "refresh_rounds": 0, "refreshed_here": 0, "logins": 0, "conflicts": 0, "failures": 0]

/// Resumes under the lease; counts where the session came from.
@MainActor func resumeLeased(rejected: Int?) throws -> SessionStore.Resumed<TestTokenServer.Tokens> {
    let resumed = try store.resume(TestTokenServer.Tokens.self, app: options.ns, account: options.key, rejectedVersion: rejected,
                                   isStale: { _ in false },
                                   refresh: { try server.refresh($0.refresh_token) },
                                   login: { try server.login() })
    counts["refresh_rounds", default: 0] += 1
    if resumed.source == .refreshed { counts["refreshed_here", default: 0] += 1 }
    if resumed.source == .loggedIn { counts["logins", default: 0] += 1 }
    return resumed
}

/// Today's way: read, refresh with the provider, store only if nobody stored first.
@MainActor func resumeCAS(current: (tokens: TestTokenServer.Tokens, version: Int)?) throws -> (tokens: TestTokenServer.Tokens, version: Int) {
    counts["refresh_rounds", default: 0] += 1
    let entry = try? client.get(ns: options.ns, key: options.key)
    if let entry, entry.version != current?.version {
        return (try entry.decode(TestTokenServer.Tokens.self), entry.version)
    }
    var next: TestTokenServer.Tokens
    if let entry, let tokens = try? entry.decode(TestTokenServer.Tokens.self), let refreshed = try? server.refresh(tokens.refresh_token) {
        next = refreshed
        counts["refreshed_here", default: 0] += 1
    } else {
        next = try server.login()
        counts["logins", default: 0] += 1
    }
    let written = Result { () throws(LocketError) in try client.put(next, ns: options.ns, key: options.key, ifVersion: entry?.version ?? 0) }
    switch written {
    case .success(let put):
        return (next, put.version)
    case .failure(.conflict):
        counts["conflicts", default: 0] += 1
        let stored = try client.get(ns: options.ns, key: options.key)
        return (try stored.decode(TestTokenServer.Tokens.self), stored.version)
    case .failure(let error):
        throw error
    }
}

@MainActor func report(finalOK: Bool, extra: [String: String] = [:]) -> Never {
    var object: [String: Any] = counts
    object["kind"] = "swift-\(options.mode)"
    object["final_ok"] = finalOK
    for (name, value) in extra { object[name] = value }
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    print(String(decoding: data, as: UTF8.self))
    exit(finalOK ? 0 : 1)
}

do {
    if options.once {
        let resumed = try resumeLeased(rejected: options.rejectedVersion)
        report(finalOK: try server.resource(resumed.session.access_token) == 200,
               extra: ["source": resumed.source.rawValue, "version": String(resumed.version)])
    }
    var current: (tokens: TestTokenServer.Tokens, version: Int)?
    if options.mode == "lease" {
        let first = try resumeLeased(rejected: nil)
        current = (first.session, first.version)
    } else {
        current = try resumeCAS(current: nil)
    }
    var done = false
    while true {
        if let tokens = current?.tokens, try server.resource(tokens.access_token) == 200 {
            counts["calls", default: 0] += 1
            if done { break }
            continue
        }
        if !done, (try server.stats()["refreshes"] ?? 0) >= options.target { done = true }
        if options.mode == "lease" {
            let resumed = try resumeLeased(rejected: current?.version)
            current = (resumed.session, resumed.version)
        } else {
            current = try resumeCAS(current: current)
        }
    }
    report(finalOK: true)
} catch {
    FileHandle.standardError.write(Data("lease worker: \(error)\n".utf8))
    counts["failures", default: 0] += 1
    report(finalOK: false)
}
