import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketClient
import LocketProtocol

/// `locket watch [NS]`: one line per change event until interrupted.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print change events (changed, deleted, expired, expiring, locked, unlocked, leased, lease_ended) as they happen.",
        discussion: """
            Runs until interrupted (Ctrl-C) or until locketd closes the connection: it stops, or this
            watcher fell more than 4096 events behind (then exit 6; watch again and re-sync with
            `locket list`). Events never carry values.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Only this namespace (lock and unlock are always shown).", completion: .custom(NameCompletion.namespaces))
    var ns: String?

    @Option(help: ArgumentHelp("Also report entries this many seconds before they expire (0: never).", valueName: "seconds"))
    var expiringWithin: Int?

    @Flag(help: "Print each event as the protocol's JSON object: {event, ns, key, version, expires_at, reason, outcome}.")
    var json = false

    func validate() throws {
        if let expiringWithin, expiringWithin < 0 { throw ValidationError("--expiring-within must be 0 or more") }
    }

    func run() throws(Failure) {
        let client = connection.client()
        let watch = try daemonCall { () throws(LocketError) in try client.watch(ns: ns, expiringWithin: expiringWithin) }
        while let event = try daemonCall({ () throws(LocketError) in try watch.next() }) {
            Output.standardOutput(json ? Self.json(event) + [0x0a] : Array((Self.text(event) + "\n").utf8))
        }
        throw Failure(.other, "locketd closed the watch (it stopped, or this watcher fell behind); watch again and re-sync with `locket list`")
    }

    /// One readable line: the event, the names, then what changed.
    static func text(_ event: ChangeEvent) -> String {
        switch event {
        case .changed(let ns, let key, let version, let expiresAt):
            "changed  \(ns)  \(key)  version \(version), expires \(expiresAt.map(Timestamp.format) ?? "never")"
        case .deleted(let ns, let key):
            "deleted  \(ns)  \(key)"
        case .expired(let ns, let key):
            "expired  \(ns)  \(key)"
        case .expiring(let ns, let key, let expiresAt):
            "expiring  \(ns)  \(key)  expires \(Timestamp.format(expiresAt))"
        case .locked(let reason):
            "locked  \(reason)"
        case .unlocked:
            "unlocked"
        case .leased(let ns, let key, let expiresAt):
            "leased  \(ns)  \(key)  until \(Timestamp.format(expiresAt))"
        case .leaseEnded(let ns, let key, let outcome):
            "lease_ended  \(ns)  \(key)  \(outcome)"
        }
    }

    /// The event as the protocol writes it.
    static func json(_ event: ChangeEvent) -> [UInt8] {
        event.object
    }
}
