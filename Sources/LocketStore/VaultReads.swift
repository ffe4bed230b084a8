#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto

extension Vault {
    /// The live entry under (`ns`, `key`), or `.notFound` (also when it has expired).
    ///
    /// With `mayWait` false it never waits for the writer (it may run on an event
    /// loop): a record read just as a rotation committed then fails with `.corrupt`
    /// instead of waiting for the rotation to finish switching keys, and the
    /// caller retries with `mayWait` (off the loop).
    public func get(ns: String, key: String, mayWait: Bool = true) throws(StoreError) -> Entry {
        try Names.validate(ns, field: "ns")
        try Names.validate(key, field: "key")
        var keys = try currentKeys()
        var attempts = 0
        while true {
            do {
                return try get(ns: ns, key: key, keys: keys)
            } catch {
                // A rotation may have committed between taking the keys and reading the
                // record (then the record is wrapped under the new key): retry with it.
                guard case .corrupt = error, mayWait, attempts < 3, let newer = keysAfterRotation(than: keys) else { throw error }
                keys = newer
                attempts += 1
            }
        }
    }

    /// The keys now in use if they differ from `keys`, once the batch the writer is
    /// committing (maybe a rotation that has yet to switch keys) has finished.
    private func keysAfterRotation(than keys: VaultKeys) -> VaultKeys? {
        writer.waitForBatchInFlight()
        guard let current = try? currentKeys(), current !== keys else { return nil }
        return current
    }

    private func get(ns: String, key: String, keys: VaultKeys) throws(StoreError) -> Entry {
        let lookup = Records.lookupID(ns: ns, key: key, keys: keys)
        let now = Records.milliseconds(self.now)
        let row = try readers.read { (connection) throws(StoreError) in try StoredRow.fetch(lookup, on: connection) }
        return try entry(row, ns: ns, key: key, keys: keys, now: now)
    }

    /// The live entry `row` (read under `ns` and `key`'s lookup id) holds, or `.notFound`.
    func entry(_ row: StoredRow?, ns: String, key: String, keys: VaultKeys, now: Int64) throws(StoreError) -> Entry {
        guard let row, row.isLive(at: now) else { throw .notFound }
        // `names`: the record must hold the names its lookup id was computed from.
        let opened = try Records.open(row, keys: keys, names: (ns, key))
        return Entry(ns: ns, key: key, value: opened.value, version: row.version,
                     createdAt: Records.date(row.createdAt), updatedAt: Records.date(row.updatedAt),
                     expiresAt: row.expiresAt.map(Records.date))
    }

    /// Names and metadata of the live entries in `ns` (all namespaces when nil),
    /// sorted by namespace then key, by UTF-8 bytes. Records that cannot be opened are counted, not returned.
    public func list(ns: String? = nil) throws(StoreError) -> Listing {
        if let ns { try Names.validate(ns, field: "ns") }
        var keys = try currentKeys()
        var listing = try list(ns: ns, keys: keys)
        // As in `get`: records read just after a rotation committed need the new key.
        var attempts = 0
        while listing.unreadable > 0, attempts < 3, let newer = keysAfterRotation(than: keys) {
            keys = newer
            listing = try list(ns: ns, keys: keys)
            attempts += 1
        }
        return listing
    }

    private func list(ns: String?, keys: VaultKeys) throws(StoreError) -> Listing {
        let now = Records.milliseconds(self.now)
        let namespace = ns.map { Records.namespaceID($0, keys: keys) }
        let scan = Result { () throws(StoreError) in try readers.read { (connection) throws(StoreError) -> [StoredRow] in
            do {
                let columns = "lookup, \(StoredRow.columns)"
                let statement = try namespace.map {
                    try connection.statement("SELECT \(columns) FROM entries WHERE ns_id = ? AND (expires_at IS NULL OR expires_at > ?)")
                        .bind(0, $0).bind(1, now)
                } ?? connection.statement("SELECT \(columns) FROM entries WHERE expires_at IS NULL OR expires_at > ?").bind(0, now)
                defer { statement.reset() }
                var rows: [StoredRow] = []
                while try statement.step() {
                    rows.append(StoredRow(lookup: statement.blob(0), statement: statement, offset: 1))
                }
                return rows
            } catch {
                throw StoreError(sqlite: error)
            }
        } }
        var rows: [StoredRow]
        var unreadable = 0
        if case .failure(.corrupt) = scan {
            // A damaged page stopped the scan: list what is intact, count the rest.
            (rows, unreadable) = try rowsOneByOne(namespace: namespace, now: now)
        } else {
            rows = try scan.get()
        }
        var items: [EntryInfo] = []
        for row in rows {
            // `ns`: a row moved under this namespace's id is not listed under it.
            guard var opened = try? Records.open(row, keys: keys, ns: ns) else {
                unreadable += 1
                continue
            }
            secureZero(&opened.value)
            items.append(EntryInfo(ns: opened.ns, key: opened.key, version: row.version,
                                   createdAt: Records.date(row.createdAt), updatedAt: Records.date(row.updatedAt),
                                   expiresAt: row.expiresAt.map(Records.date)))
        }
        // Byte order of the UTF-8 names (Swift's String `<` compares canonical equivalents as equal).
        items.sort { a, b in
            a.ns == b.ns ? a.key.utf8.lexicographicallyPrecedes(b.key.utf8) : a.ns.utf8.lexicographicallyPrecedes(b.ns.utf8)
        }
        return Listing(items: items, unreadable: unreadable)
    }

    /// The live rows read one at a time, for when a damaged page makes a table scan
    /// fail: the lookup ids come from the namespace index (a b-tree of its own), then
    /// each row is read by its id, so only rows on damaged pages are lost (counted as
    /// unreadable). Throws `.corrupt` if the index itself cannot be read.
    private func rowsOneByOne(namespace: [UInt8]?, now: Int64) throws(StoreError) -> (rows: [StoredRow], unreadable: Int) {
        try readers.read { (connection) throws(StoreError) -> ([StoredRow], Int) in
            var lookups: [[UInt8]] = []
            do {
                let ids = try namespace.map {
                    try connection.statement("SELECT lookup FROM entries INDEXED BY entries_ns WHERE ns_id = ?").bind(0, $0)
                } ?? connection.statement("SELECT lookup FROM entries INDEXED BY entries_ns")
                defer { ids.reset() }
                while try ids.step() { lookups.append(ids.blob(0)) }
            } catch {
                throw StoreError(sqlite: error)
            }
            var rows: [StoredRow] = []
            var unreadable = 0
            for lookup in lookups {
                do {
                    let statement = try connection.statement(
                        StoredRow.selectByLookup)
                        .bind(0, lookup)
                    defer { statement.reset() }
                    guard try statement.step() else { continue }
                    let row = StoredRow(lookup: lookup, statement: statement, offset: 0)
                    if row.isLive(at: now) { rows.append(row) }
                } catch {
                    let mapped = StoreError(sqlite: error)
                    guard case .corrupt = mapped else { throw mapped }
                    unreadable += 1
                }
            }
            return (rows, unreadable)
        }
    }

    /// Number of live entries. Works while locked (it reads no secret).
    public func count() throws(StoreError) -> Int {
        let now = Records.milliseconds(self.now)
        return try readers.read { (connection) throws(StoreError) in
            do {
                let statement = try connection.statement("SELECT count(*) FROM entries WHERE expires_at IS NULL OR expires_at > ?").bind(0, now)
                defer { statement.reset() }
                return try statement.step() ? Int(statement.int64(0)) : 0
            } catch {
                throw StoreError(sqlite: error)
            }
        }
    }

    /// When the next live entry expires (nil: none does). Works while locked.
    public func nextExpiry() throws(StoreError) -> Date? {
        let now = Records.milliseconds(self.now)
        return try readers.read { (connection) throws(StoreError) -> Date? in
            do {
                let statement = try connection.statement("SELECT min(expires_at) FROM entries WHERE expires_at > ?").bind(0, now)
                defer { statement.reset() }
                return try statement.step() ? statement.int64OrNil(0).map(Records.date) : nil
            } catch {
                throw StoreError(sqlite: error)
            }
        }
    }
}

/// One row of `entries` as read from disk.
struct StoredRow {
    /// The columns `init(lookup:statement:offset:)` reads, in order.
    static let columns = "version, created_at, updated_at, expires_at, wrapped_key, sealed, ns_id"
    /// One row by its lookup id (a constant: the statement cache is keyed by the SQL text).
    static let selectByLookup = "SELECT \(columns) FROM entries WHERE lookup = ?"

    let lookup: [UInt8]
    let namespace: [UInt8]
    let version: Int
    let createdAt: Int64
    let updatedAt: Int64
    let expiresAt: Int64?
    let wrappedKey: [UInt8]
    let sealed: [UInt8]

    /// Reads `columns` (version, created, updated, expires, wrapped key, sealed, ns id)
    /// from columns `offset…offset+6`.
    init(lookup: [UInt8], statement: Statement, offset: Int32) {
        self.lookup = lookup
        version = Int(statement.int64(offset))
        createdAt = statement.int64(offset + 1)
        updatedAt = statement.int64(offset + 2)
        expiresAt = statement.int64OrNil(offset + 3)
        wrappedKey = statement.blob(offset + 4)
        sealed = statement.blob(offset + 5)
        namespace = statement.blob(offset + 6)
    }

    /// What the row claims, as bound into its data key's wrap.
    var claims: RecordClaims {
        RecordClaims(lookup: lookup, namespace: namespace, version: version,
                     createdAt: createdAt, updatedAt: updatedAt, expiresAt: expiresAt)
    }

    func isLive(at now: Int64) -> Bool { expiresAt.map { $0 > now } ?? true }

    /// The row under `lookup` (nil: none), through `connection`'s cached statement.
    static func fetch(_ lookup: [UInt8], on connection: SQLiteConnection) throws(StoreError) -> StoredRow? {
        do {
            let statement = try connection.statement(selectByLookup).bind(0, lookup)
            defer { statement.reset() }
            guard try statement.step() else { return nil }
            return StoredRow(lookup: lookup, statement: statement, offset: 0)
        } catch {
            throw StoreError(sqlite: error)
        }
    }
}
