#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The payloads of the ops that carry members, one type per op: what a
/// handler receives is exactly what its op may hold, never a bag of optionals.
extension Request {
    /// An entry's name: `get`, and the entry of `lease`.
    public struct EntryName: Sendable, Equatable {
        public var ns: String
        public var key: String
        public init(ns: String, key: String) {
            (self.ns, self.key) = (ns, key)
        }
    }

    /// `put`: the value as the exact JSON text sent.
    public struct Put: Sendable {
        public var ns: String
        public var key: String
        public var valueJSON: [UInt8]
        public var ttl: Int?
        public var ifVersion: Int?
        /// Write only under this lease.
        public var lease: String?
        public init(ns: String, key: String, valueJSON: [UInt8], ttl: Int? = nil, ifVersion: Int? = nil, lease: String? = nil) {
            (self.ns, self.key, self.valueJSON, self.ttl, self.ifVersion, self.lease) = (ns, key, valueJSON, ttl, ifVersion, lease)
        }
    }

    /// `delete`.
    public struct Delete: Sendable {
        public var ns: String
        public var key: String
        public var ifVersion: Int?
        /// Delete only under this lease.
        public var lease: String?
        public init(ns: String, key: String, ifVersion: Int? = nil, lease: String? = nil) {
            (self.ns, self.key, self.ifVersion, self.lease) = (ns, key, ifVersion, lease)
        }
    }

    /// `audit`: which records, the latest `limit` of them.
    public struct AuditQuery: Sendable {
        public var ns: String?
        /// Only records at or after this time.
        public var since: Date?
        /// At most this many (the latest) records; `ProtocolLimits.defaultAuditLimit` when not given.
        public var limit: Int?
        public init(ns: String? = nil, since: Date? = nil, limit: Int? = nil) {
            (self.ns, self.since, self.limit) = (ns, since, limit)
        }
    }

    /// `watch`.
    public struct Watch: Sendable {
        public var ns: String?
        /// Lead time for `expiring` events, in seconds (nil or 0: none).
        public var expiringWithin: Int?
        public init(ns: String? = nil, expiringWithin: Int? = nil) {
            (self.ns, self.expiringWithin) = (ns, expiringWithin)
        }
    }

    /// Who an `allow` admits: a program by path (maybe pinned to its SHA-256), or a sandbox identity.
    public enum Admitted: Sendable, Equatable {
        case program(path: String, pin: Pin)
        case sandbox(SandboxSubject)
    }

    /// How an allowed program's executable is pinned.
    public enum Pin: Sendable, Equatable {
        /// Any file at the path.
        case none
        /// Only a file with this SHA-256 (lowercase hex).
        case sha256(String)
        /// The SHA-256 of the file at the path as the daemon reads it now.
        case hashNow
    }

    /// `allow`.
    public struct Allow: Sendable {
        public var ns: String
        public var admitted: Admitted
        public init(ns: String, admitted: Admitted) {
            (self.ns, self.admitted) = (ns, admitted)
        }
    }

    /// Whom a `deny` removes from a rule.
    public enum Denied: Sendable, Equatable {
        case path(String)
        case sandbox(SandboxSubject)
    }

    /// `deny`: one program, or (`denied` nil) the whole rule.
    public struct Deny: Sendable {
        public var ns: String
        public var denied: Denied?
        public init(ns: String, denied: Denied?) {
            (self.ns, self.denied) = (ns, denied)
        }
    }

    /// `lease`.
    public struct Lease: Sendable {
        public var ns: String
        public var key: String
        /// The version the caller saw rejected.
        public var staleVersion: Int?
        /// The seconds asked for (`ProtocolLimits.defaultLeaseDuration` when not given).
        public var duration: Int?
        public init(ns: String, key: String, staleVersion: Int? = nil, duration: Int? = nil) {
            (self.ns, self.key, self.staleVersion, self.duration) = (ns, key, staleVersion, duration)
        }
    }

    /// `release`: the lease to end.
    public struct Release: Sendable {
        public var ns: String
        public var key: String
        public var lease: String
        public init(ns: String, key: String, lease: String) {
            (self.ns, self.key, self.lease) = (ns, key, lease)
        }
    }
}
