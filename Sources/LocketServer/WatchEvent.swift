import Foundation
import LocketProtocol

/// One change event sent to watchers (PROTOCOL.md, "Change events"). Events
/// carry names and times, never values.
enum WatchEvent: Sendable, Equatable {
    /// A put is durable.
    case changed(ns: String, key: String, version: Int, expiresAt: Date?)
    /// A delete of a live entry is durable.
    case deleted(ns: String, key: String)
    /// The entry's `expires_at` has passed.
    case expired(ns: String, key: String)
    /// The entry expires within the watcher's `expiring_within`.
    case expiring(ns: String, key: String, expiresAt: Date)
    /// The vault was locked (sent to every watcher).
    case locked(reason: String)
    /// The vault was unlocked (sent to every watcher).
    case unlocked
    /// A refresh lease was granted; it ends at `expiresAt` at the latest.
    case leased(ns: String, key: String, expiresAt: Date)
    /// A refresh lease ended; `outcome` says how (`LeaseEnd`).
    case leaseEnded(ns: String, key: String, outcome: String)

    /// The namespace the event is about; nil for vault-wide events.
    var ns: String? {
        switch self {
        case .changed(let ns, _, _, _), .deleted(let ns, _), .expired(let ns, _), .expiring(let ns, _, _),
             .leased(let ns, _, _), .leaseEnded(let ns, _, _): ns
        case .locked, .unlocked: nil
        }
    }

    /// The event as one line, `{"event":"…",…}\n`.
    var line: [UInt8] {
        var object = Response.nested()
        switch self {
        case .changed(let ns, let key, let version, let expiresAt):
            object.string("event", "changed")
            object.string("ns", ns)
            object.string("key", key)
            object.int("version", version)
            object.timestamp("expires_at", expiresAt)
        case .deleted(let ns, let key):
            object.string("event", "deleted")
            object.string("ns", ns)
            object.string("key", key)
        case .expired(let ns, let key):
            object.string("event", "expired")
            object.string("ns", ns)
            object.string("key", key)
        case .expiring(let ns, let key, let expiresAt):
            object.string("event", "expiring")
            object.string("ns", ns)
            object.string("key", key)
            object.timestamp("expires_at", expiresAt)
        case .locked(let reason):
            object.string("event", "locked")
            object.string("reason", reason)
        case .unlocked:
            object.string("event", "unlocked")
        case .leased(let ns, let key, let expiresAt):
            object.string("event", "leased")
            object.string("ns", ns)
            object.string("key", key)
            object.timestamp("expires_at", expiresAt)
        case .leaseEnded(let ns, let key, let outcome):
            object.string("event", "lease_ended")
            object.string("ns", ns)
            object.string("key", key)
            object.string("outcome", outcome)
        }
        return object.object + [0x0a]
    }
}
