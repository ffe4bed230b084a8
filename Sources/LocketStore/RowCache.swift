import LocketProtocol

/// The sealed rows a `ReadSession` read lately, by name, so that a `get` of a
/// hot entry skips SQLite (its statement, and the WAL read-mark `fcntl` pair a
/// read of its own pays) and the keyed hash of its names.
///
/// **Only sealed rows.** What it holds is what SQLite's page cache holds: the
/// row as stored (wrapped data key, sealed record, metadata). Every hit is
/// opened, authenticated and checked for expiry exactly as a row read from
/// disk; nothing opened is kept.
///
/// **Valid for one commit generation and one set of keys.** A row is used only
/// while the writer's commit generation is the one loaded before that row was
/// read, so a `get` still sees every write acknowledged before it began (the
/// writer bumps the generation after each commit and before it answers); and
/// only under the same `VaultKeys` (a lock, unlock or rotation empties it). Any
/// commit empties it, which suits the load it is for: many reads of a few
/// sessions between rare writes.
///
/// **Bounded.** At most `RowCacheLimits.entries` rows and `.bytes` of wrapped key
/// and sealed record together; a larger row is not kept; when full, the oldest
/// row leaves. Emptied when the daemon goes quiet (`ReadSession.releaseMemory`).
/// A plain value used by one thread.
struct RowCache {
    /// Byte for byte (`ExactText`): canonically equivalent names are different entries.
    private struct Name: Hashable {
        let ns: ExactText
        let key: ExactText

        init(ns: String, key: String) {
            self.ns = ExactText(ns)
            self.key = ExactText(key)
        }
    }

    let limits: RowCacheLimits
    private var rows: [Name: StoredRow] = [:]
    /// Names in the order they were stored (the oldest leaves first).
    private var order: [Name] = []
    private var oldest = 0
    private var bytes = 0
    /// The commit generation the rows were read under.
    private var generation = -1
    /// The keys the rows are valid under (weak: the cache must not keep a locked vault's keys alive).
    private weak var keys: VaultKeys?

    init(limits: RowCacheLimits) {
        self.limits = limits
    }

    /// Rows held.
    var count: Int { rows.count }
    /// Bytes held.
    var heldBytes: Int { bytes }

    /// The row stored under (`ns`, `key`), if it is valid at `generation` under
    /// `keys`. When either moved on, everything held is dropped and the cache
    /// takes rows for `generation` and `keys` from now on.
    mutating func row(ns: String, key: String, generation: Int, keys: VaultKeys) -> StoredRow? {
        guard limits.entries > 0 else { return nil }
        guard generation == self.generation, keys === self.keys else {
            removeAll()
            self.generation = generation
            self.keys = keys
            return nil
        }
        return rows[Name(ns: ns, key: key)]
    }

    /// Keeps `row`, read under the generation and keys of the last `row(ns:key:generation:keys:)`.
    mutating func store(_ row: StoredRow, ns: String, key: String) {
        let size = row.wrappedKey.count + row.sealed.count
        guard limits.entries > 0, size <= limits.bytes / 4 else { return }
        let name = Name(ns: ns, key: key)
        remove(ns: ns, key: key)
        while rows.count >= limits.entries || bytes + size > limits.bytes, evictOldest() {}
        rows[name] = row
        order.append(name)
        bytes += size
    }

    /// Drops the row of (`ns`, `key`), if held (one that failed to open).
    mutating func remove(ns: String, key: String) {
        let name = Name(ns: ns, key: key)
        guard let row = rows.removeValue(forKey: name) else { return }
        bytes -= row.wrappedKey.count + row.sealed.count
        if let index = order[oldest...].firstIndex(of: name) { order.remove(at: index) }
    }

    /// Drops everything held.
    mutating func removeAll() {
        guard !rows.isEmpty || !order.isEmpty else { return }
        rows.removeAll()
        order.removeAll()
        oldest = 0
        bytes = 0
    }

    /// Drops the oldest row; false when nothing is held.
    private mutating func evictOldest() -> Bool {
        while oldest < order.count {
            let name = order[oldest]
            oldest += 1
            if let row = rows.removeValue(forKey: name) {
                bytes -= row.wrappedKey.count + row.sealed.count
                compactOrder()
                return true
            }
        }
        compactOrder()
        return false
    }

    /// Forgets the names already evicted once they are half the order list.
    private mutating func compactOrder() {
        guard oldest > 0, oldest * 2 >= order.count else { return }
        order.removeFirst(oldest)
        oldest = 0
    }
}

/// How much a `ReadSession`'s row cache (`RowCache`) may hold.
public struct RowCacheLimits: Sendable, Equatable {
    /// Most rows held.
    public var entries: Int
    /// Most bytes held (wrapped data keys and sealed records).
    public var bytes: Int

    public init(entries: Int, bytes: Int) {
        self.entries = entries
        self.bytes = bytes
    }

    /// What each event loop's session keeps: 32 rows, 64 KiB.
    public static let standard = RowCacheLimits(entries: 32, bytes: 64 * 1024)
    /// Nothing is kept: every read goes to SQLite.
    public static let none = RowCacheLimits(entries: 0, bytes: 0)
}
