#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What reading the audit log found: the entries asked for, oldest first, and
/// every problem met on the way (a record that does not authenticate, records
/// missing from a segment, a segment sealed to another key…). A problem is
/// reported, never skipped silently.
public struct AuditReadout: Sendable {
    public var items: [AuditEntry]
    /// One line per problem, for people (no name, key or value in them).
    public var damage: [String]
    /// Records rotation pushed out of the files since the log began (from the head).
    public var rotated: AuditRotation?
}

/// What rotation has pushed out of the log: counted in the sealed head, so
/// records never leave silently.
public struct AuditRotation: Sendable, Equatable {
    /// Records pushed out since the log began.
    public var records: Int
    /// How many of them were refused attempts (`forbidden`).
    public var refused: Int
    /// When the latest rotation pushed records out.
    public var last: Date
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
