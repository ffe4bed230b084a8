#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `put` answered.
public struct PutResult: Sendable, Equatable {
    /// No live entry existed before.
    public var created: Bool
    /// The entry's version now.
    public var version: Int
    public var expiresAt: Date?
}

/// A live entry as `get` returns it.
public struct Entry: Sendable, Equatable {
    /// The value as the exact JSON text stored.
    public var valueJSON: [UInt8]
    public var version: Int
    public var createdAt: Date?
    public var updatedAt: Date?
    public var expiresAt: Date?

    /// The value decoded as `T` (dates as ISO 8601).
    public func decode<T: Decodable>(_ type: T.Type) throws(LocketError) -> T {
        do {
            return try LocketClient.decoder().decode(T.self, from: Data(valueJSON))
        } catch {
            throw .coding("cannot decode the stored value as \(T.self): \(error)")
        }
    }
}

/// An entry's names and metadata (what `list` returns).
public struct EntryInfo: Sendable, Equatable {
    public var ns: String
    public var key: String
    public var version: Int
    public var createdAt: Date?
    public var updatedAt: Date?
    public var expiresAt: Date?
}

/// What `status` answered.
public struct DaemonStatus: Sendable, Equatable {
    public var locked: Bool
    public var keyStore: String
    public var entries: Int
    public var version: String
    public var uptimeSeconds: Int
    /// Why the vault is locked, when it is.
    public var lockReason: String?
    /// A warning about the key store (e.g. a key file), when there is one.
    public var keyStoreNotice: String?
    /// Whether the daemon keeps the access audit log.
    public var audit: Bool = false
    /// Audit entries dropped (queue full or no audit key yet), when auditing.
    public var auditDropped: Int?
}

/// One access, as `audit` answered it.
public struct AuditRecord: Sendable, Equatable {
    /// When (to the second), and in milliseconds since 1970.
    public var time: Date?
    public var timeMilliseconds: Int64
    public var op: String
    /// nil for a `list` of all namespaces.
    public var ns: String?
    /// Keyed hash of the key name (hex), stable for one vault; nil for `list`.
    public var keyHash: String?
    /// `ok` or the error code answered.
    public var outcome: String
    /// The caller's executable, when it could be read.
    public var exe: String?
    public var exeDeleted: Bool
    public var pid: Int
    public var uid: Int
    /// The caller's systemd unit, when it has one.
    public var unit: String?
    /// The caller's Flatpak app id, Snap name and LSM label, when it had them.
    public var flatpak: String? = nil
    public var snap: String? = nil
    public var label: String? = nil
    /// What an `allow` or `deny` named (`path /usr/bin/x`, `flatpak org.example.App`).
    public var target: String? = nil
    /// For a `dropped` record: how many entries the daemon's full audit queue refused.
    public var count: Int? = nil
}

/// What `audit` answered: entries oldest first, and problems met reading the log.
public struct AuditReport: Sendable, Equatable {
    public var items: [AuditRecord]
    /// Records that did not authenticate, gaps, missing segments, torn tails: one line each.
    public var damage: [String]
    /// Records left out because a rule keeps this caller out of their namespace
    /// (refused attempts are never left out).
    public var withheld: Int = 0
    /// Records rotation pushed out of the log since it began, if any.
    public var rotated: RotatedAway? = nil
}

/// What rotation pushed out of the audit log (counted in the vault, never silently gone).
public struct RotatedAway: Sendable, Equatable {
    public var records: Int
    /// How many of them were refused attempts.
    public var refused: Int
    /// When the latest rotation pushed records out.
    public var last: Date?
}

/// What `hello` answered.
public struct DaemonHello: Sendable, Equatable {
    public var protocolVersion: Int
    public var server: String
    public var ops: [String]
}
