#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol

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
    /// The op (`get`, `put`, `delete`, `list`, `lock`, `unlock`, `rotate`,
    /// `allow`, `deny`, `rules`), or `dropped` for a record that counts
    /// entries the writer's full queue refused.
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
    /// The caller's Flatpak app id, Snap name and LSM label (AppArmor or
    /// SELinux), as read when it connected; nil when it has none.
    public var flatpak: String?
    public var snap: String?
    public var label: String?
    /// What an `allow` or `deny` named (`path /usr/bin/x`, `flatpak org.example.App`, …).
    public var target: String?
    /// For a `dropped` record: how many entries were refused.
    public var count: Int?

    enum CodingKeys: String, CodingKey {
        case time = "t", op, ns, keyHash = "kh", key = "k", outcome = "out", exe, exeDeleted = "exe_deleted", pid, uid, unit
        case flatpak = "fp", snap, label = "lsm", target = "tgt", count = "n"
    }

    /// A record of `count` entries refused because the writer's queue was full
    /// (a flood): so they are counted in the log itself, not only in memory.
    public init(droppedCount count: Int, time: Int64) {
        self.init(time: time, op: "dropped", ns: nil, key: nil, outcome: "dropped", exe: nil, exeDeleted: false, pid: 0, uid: 0, unit: nil)
        self.count = count
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
