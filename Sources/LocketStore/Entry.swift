#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A live entry with its value.
public struct Entry: Sendable, Equatable {
    /// Namespace (usually the app).
    public var ns: String
    /// Key within the namespace (usually the account).
    public var key: String
    /// The stored bytes, exactly as put (for the protocol: the value's JSON text).
    public var value: [UInt8]
    /// 1 when created, +1 on every put.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// nil: never expires.
    public var expiresAt: Date?
}

/// An entry's names and metadata, never its value (what `list` returns).
public struct EntryInfo: Sendable, Equatable {
    public var ns: String
    public var key: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var expiresAt: Date?
}

/// What `list` found: the live entries, and how many records could not be
/// read (damaged on disk) and were left out.
public struct Listing: Sendable, Equatable {
    public var items: [EntryInfo]
    public var unreadable: Int
}

/// The outcome of a put.
public struct PutResult: Sendable, Equatable {
    /// No live entry existed before.
    public var created: Bool
    /// The entry's new version.
    public var version: Int
    public var expiresAt: Date?
}

/// Whether the master key is in memory.
public enum VaultState: Sendable, Equatable {
    case unlocked
    case locked(LockReason)

    public var isLocked: Bool { if case .locked = self { true } else { false } }
}
