import Foundation

/// One access, as the audit log keeps it: who asked (the caller's identity as
/// the daemon saw it at connect time), what (op, namespace, a keyed hash of
/// the key name), when, and the answer. Never a value.
///
/// Coded as compact JSON inside a sealed record. `key` is only ever set in
/// memory and, for an access while the vault is locked (when the hash key is
/// not in memory), inside the sealed record; a reader replaces it with
/// `keyHash` and never hands it out.
public struct AuditEntry: Sendable, Codable, Equatable {
    /// Milliseconds since 1970, UTC.
    public var time: Int64
    /// `get`, `put`, `delete` or `list`.
    public var op: String
    /// The namespace; nil for a `list` of all namespaces.
    public var ns: String?
    /// Keyed BLAKE2b of the key name (16 bytes, hex); nil for `list`.
    public var keyHash: String?
    /// The key name, before it is hashed. Not part of what readers get.
    var key: String?
    /// `ok` or the protocol error code of the answer.
    public var outcome: String
    /// The caller's executable (`/proc/PID/exe` at connect time); nil when unreadable.
    public var exe: String?
    /// The executable had been deleted (or replaced) when the caller connected.
    public var exeDeleted: Bool?
    public var pid: Int32
    public var uid: UInt32
    /// The caller's systemd unit (`….service` or `….scope`), when it has one.
    public var unit: String?

    enum CodingKeys: String, CodingKey {
        case time = "t", op, ns, keyHash = "kh", key = "k", outcome = "out", exe, exeDeleted = "exe_deleted", pid, uid, unit
    }

    /// An entry for an access; `key` is hashed (or sealed) by the audit log's writer.
    public init(time: Int64, op: String, ns: String?, key: String?, outcome: String,
                exe: String?, exeDeleted: Bool, pid: Int32, uid: UInt32, unit: String?) {
        self.time = time
        self.op = op
        self.ns = ns
        self.key = key
        self.outcome = outcome
        self.exe = exe
        self.exeDeleted = exeDeleted ? true : nil
        self.pid = pid
        self.uid = uid
        self.unit = unit
    }

    /// The time as a date.
    public var date: Date { Date(timeIntervalSince1970: Double(time) / 1000) }
}

/// What reading the audit log found: the entries asked for, oldest first, and
/// every problem met on the way (a record that does not authenticate, records
/// missing from a segment, a segment sealed to another key…). A problem is
/// reported, never skipped silently.
public struct AuditReadout: Sendable {
    public var items: [AuditEntry]
    /// One line per problem, for people (no name, key or value in them).
    public var damage: [String]
}

/// Which entries to read.
public struct AuditQuery: Sendable {
    /// Only this namespace (a `list` of all namespaces never matches).
    public var ns: String?
    /// Only entries at or after this time.
    public var since: Date?
    /// The latest `limit` matching entries are returned (oldest first).
    public var limit: Int

    public init(ns: String? = nil, since: Date? = nil, limit: Int = 1000) {
        self.ns = ns
        self.since = since
        self.limit = limit
    }
}
