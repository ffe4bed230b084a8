import Foundation

/// One change event from `watch` (PROTOCOL.md, "watch"). Events never carry values.
public enum ChangeEvent: Sendable, Equatable {
    /// A put is durable: the entry has this version now.
    case changed(ns: String, key: String, version: Int, expiresAt: Date?)
    /// A live entry was deleted.
    case deleted(ns: String, key: String)
    /// The entry's expiry passed: it is gone.
    case expired(ns: String, key: String)
    /// The entry expires within the watch's `expiringWithin`: refresh it now.
    case expiring(ns: String, key: String, expiresAt: Date)
    /// The vault was locked; `reason` is for people. Nothing else arrives until `unlocked`.
    case locked(reason: String)
    /// The vault was unlocked (re-sync with `list` if you need an exact picture).
    case unlocked

    /// The event's name on the wire (`changed`, `deleted`, …).
    public var name: String {
        switch self {
        case .changed: "changed"
        case .deleted: "deleted"
        case .expired: "expired"
        case .expiring: "expiring"
        case .locked: "locked"
        case .unlocked: "unlocked"
        }
    }

    /// The namespace it is about; nil for vault events.
    public var ns: String? {
        switch self {
        case .changed(let ns, _, _, _), .deleted(let ns, _), .expired(let ns, _), .expiring(let ns, _, _): ns
        case .locked, .unlocked: nil
        }
    }

    /// The key it is about; nil for vault events.
    public var key: String? {
        switch self {
        case .changed(_, let key, _, _), .deleted(_, let key), .expired(_, let key), .expiring(_, let key, _): key
        case .locked, .unlocked: nil
        }
    }

    /// Reads one event line; nil for an event this client does not know (to be ignored).
    init?(line: [UInt8]) throws(LocketError) {
        let parsed = try ResponseLine(line)
        guard let name = parsed.string("event") else { throw .connectionFailed("an event line without \"event\"") }
        switch name {
        case "changed":
            self = .changed(ns: try Self.name(parsed, "ns"), key: try Self.name(parsed, "key"),
                            version: try parsed.int("version"), expiresAt: parsed.date("expires_at"))
        case "deleted":
            self = .deleted(ns: try Self.name(parsed, "ns"), key: try Self.name(parsed, "key"))
        case "expired":
            self = .expired(ns: try Self.name(parsed, "ns"), key: try Self.name(parsed, "key"))
        case "expiring":
            guard let expiresAt = parsed.date("expires_at") else { throw .connectionFailed("an expiring event without \"expires_at\"") }
            self = .expiring(ns: try Self.name(parsed, "ns"), key: try Self.name(parsed, "key"), expiresAt: expiresAt)
        case "locked":
            self = .locked(reason: parsed.string("reason") ?? "")
        case "unlocked":
            self = .unlocked
        default:
            return nil
        }
    }

    private static func name(_ parsed: ResponseLine, _ member: String) throws(LocketError) -> String {
        guard let value = parsed.string(member) else { throw .connectionFailed("an event without \"\(member)\"") }
        return value
    }
}
