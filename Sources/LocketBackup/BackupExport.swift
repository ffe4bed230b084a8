import LocketClient

/// Reads every live entry of a vault over the protocol, for a backup.
public enum BackupExport {
    /// What an export read.
    public struct Collected: Sendable {
        /// The entries, sorted by namespace then key.
        public var entries: [BackupEntry]
        /// Entries `list` named that were gone (deleted or expired) when `get` asked for them.
        public var vanished: Int
    }

    /// `list` of all namespaces, then `get` of each entry. The result is not a
    /// snapshot: an entry changed between the two calls is read as `get` saw it;
    /// one deleted or expired in between is left out and counted in `vanished`.
    public static func collect(from client: LocketClient) throws(LocketError) -> Collected {
        let items = try client.list().sorted { ($0.ns, $0.key) < ($1.ns, $1.key) }
        var entries: [BackupEntry] = []
        var vanished = 0
        for item in items {
            let fetched = Result { () throws(LocketError) in try client.get(ns: item.ns, key: item.key) }
            if case .failure(.notFound) = fetched {
                vanished += 1
                continue
            }
            let entry = try fetched.get()
            guard let createdAt = entry.createdAt, let updatedAt = entry.updatedAt else {
                throw .connectionFailed("a get answer lacks created_at or updated_at")
            }
            entries.append(BackupEntry(ns: item.ns, key: item.key, valueJSON: entry.valueJSON, version: entry.version,
                                       createdAt: createdAt, updatedAt: updatedAt, expiresAt: entry.expiresAt))
        }
        return Collected(entries: entries, vanished: vanished)
    }
}
