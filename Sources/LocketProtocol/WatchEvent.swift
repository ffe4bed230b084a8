#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One change event a `watch` connection carries (PROTOCOL.md, "Change
/// events"): written by the daemon, read by the clients. Events carry names
/// and times, never values.
public enum WatchEvent: Sendable, Equatable {
    /// A put is durable: the entry has this version now.
    case changed(ns: String, key: String, version: Int, expiresAt: Date?)
    /// A live entry was deleted.
    case deleted(ns: String, key: String)
    /// The entry's expiry passed: it is gone.
    case expired(ns: String, key: String)
    /// The entry expires within the watch's `expiring_within`: refresh it now.
    case expiring(ns: String, key: String, expiresAt: Date)
    /// The vault was locked (sent to every watcher); `reason` is for people.
    /// Nothing else arrives until `unlocked`.
    case locked(reason: String)
    /// The vault was unlocked (sent to every watcher; re-sync with `list` if you need an exact picture).
    case unlocked
    /// A refresh lease was granted; it ends at `expiresAt` at the latest.
    case leased(ns: String, key: String, expiresAt: Date)
    /// A refresh lease ended; `outcome` says how (`stored`, `deleted`,
    /// `released`, `closed`, `expired`, `locked` or `stopped`).
    case leaseEnded(ns: String, key: String, outcome: String)

    /// The event's name on the wire (`changed`, `deleted`, …, `lease_ended`).
    public var name: String {
        switch self {
        case .changed: "changed"
        case .deleted: "deleted"
        case .expired: "expired"
        case .expiring: "expiring"
        case .locked: "locked"
        case .unlocked: "unlocked"
        case .leased: "leased"
        case .leaseEnded: "lease_ended"
        }
    }

    /// The namespace it is about; nil for vault events.
    public var ns: String? {
        switch self {
        case .changed(let ns, _, _, _), .deleted(let ns, _), .expired(let ns, _), .expiring(let ns, _, _),
             .leased(let ns, _, _), .leaseEnded(let ns, _, _): ns
        case .locked, .unlocked: nil
        }
    }

    /// The key it is about; nil for vault events.
    public var key: String? {
        switch self {
        case .changed(_, let key, _, _), .deleted(_, let key), .expired(_, let key), .expiring(_, let key, _),
             .leased(_, let key, _), .leaseEnded(_, let key, _): key
        case .locked, .unlocked: nil
        }
    }

    /// The event as a JSON object: `event`, then its members in the protocol's order.
    public var object: [UInt8] {
        var writer = JSONWriter(capacity: 96)
        writer.beginObject()
        writer.string("event", name)
        switch self {
        case .changed(let ns, let key, let version, let expiresAt):
            writer.string("ns", ns)
            writer.string("key", key)
            writer.int("version", version)
            writer.timestamp("expires_at", expiresAt)
        case .deleted(let ns, let key), .expired(let ns, let key):
            writer.string("ns", ns)
            writer.string("key", key)
        case .expiring(let ns, let key, let expiresAt), .leased(let ns, let key, let expiresAt):
            writer.string("ns", ns)
            writer.string("key", key)
            writer.timestamp("expires_at", expiresAt)
        case .locked(let reason):
            writer.string("reason", reason)
        case .unlocked:
            break
        case .leaseEnded(let ns, let key, let outcome):
            writer.string("ns", ns)
            writer.string("key", key)
            writer.string("outcome", outcome)
        }
        writer.endObject()
        return writer.bytes
    }

    /// The event as one line, `{"event":"…",…}\n`: what the daemon writes.
    public var line: [UInt8] { object + [0x0a] }

    /// Reads one event line; nil for an event this reader does not know (to be
    /// ignored: later daemons may add events). `.malformed` for a line that is
    /// not an event, or a known event without its members.
    public init?(line: [UInt8]) throws(AnswerError) {
        let event = try AnswerReader(line)
        guard let name = event.string("event") else { throw .malformed("an event line without \"event\"") }
        func names() throws(AnswerError) -> (String, String) {
            (try event.requiredString("ns", in: "an event"), try event.requiredString("key", in: "an event"))
        }
        func expiry() throws(AnswerError) -> Date {
            guard let date = event.date("expires_at") else { throw .malformed("an \(name) event without \"expires_at\"") }
            return date
        }
        switch name {
        case "changed":
            let (ns, key) = try names()
            self = .changed(ns: ns, key: key, version: try event.int("version"), expiresAt: event.date("expires_at"))
        case "deleted":
            let (ns, key) = try names()
            self = .deleted(ns: ns, key: key)
        case "expired":
            let (ns, key) = try names()
            self = .expired(ns: ns, key: key)
        case "expiring":
            let (ns, key) = try names()
            self = .expiring(ns: ns, key: key, expiresAt: try expiry())
        case "locked":
            self = .locked(reason: event.string("reason") ?? "")
        case "unlocked":
            self = .unlocked
        case "leased":
            let (ns, key) = try names()
            self = .leased(ns: ns, key: key, expiresAt: try expiry())
        case "lease_ended":
            let (ns, key) = try names()
            self = .leaseEnded(ns: ns, key: key, outcome: try event.requiredString("outcome", in: "a lease_ended event"))
        default:
            return nil
        }
    }
}
