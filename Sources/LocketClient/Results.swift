import Foundation

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
}

/// What `hello` answered.
public struct DaemonHello: Sendable, Equatable {
    public var protocolVersion: Int
    public var server: String
    public var ops: [String]
}
