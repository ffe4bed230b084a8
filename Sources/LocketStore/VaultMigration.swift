#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import LocketCrypto
import LocketSync

extension Vault {
    /// Re-seals a vault of an older record format in the current one (`RecordFormat`),
    /// once, when it is first unlocked by this build: every data key is re-wrapped
    /// bound to what its row claims, the index key is re-wrapped under the new
    /// format's context, and `user_version` is set, all in one transaction (a crash
    /// leaves the old format whole, and the next unlock starts again). The keys
    /// switch to the new format on the writer thread right after the commit,
    /// before any later write runs, as after a rotation.
    ///
    /// A record that does not open in the old format (damaged), or whose ns_id
    /// column names another namespace than the one inside it (moved), is left as
    /// it is: it stays unreadable, counted by `list`, never deleted. If the migration
    /// cannot commit (a full disk, a damaged page), the vault goes on in the old
    /// format and tries again at the next open or unlock. Afterwards `VACUUM`
    /// rebuilds the file, so deleted records that older builds left in free space
    /// are gone too.
    func migrateRecords() {
        guard let keys = try? currentKeys(), keys.format != .current else { return }
        let vault = vaultID
        let rewrap = { [self] (connection: SQLiteConnection) throws(StoreError) -> Int in
            let old = try currentKeys()
            guard old.format != .current else { return 0 }
            do {
                let rows = try connection.statement("SELECT lookup, \(StoredRow.columns) FROM entries")
                var rewrapped: [([UInt8], [UInt8])] = []
                while try rows.step() {
                    let row = StoredRow(lookup: rows.blob(0), statement: rows, offset: 1)
                    let claims = row.claims
                    // The one claim format 1 can vouch for besides the lookup id: the namespace
                    // inside the record must be the one its ns_id column names. (A version or a
                    // time edited before the migration cannot be told from a true one.)
                    guard var opened = try? Records.open(row, keys: old) else { continue }
                    secureZero(&opened.value)
                    guard Records.namespaceID(opened.ns, keys: old) == row.namespace else { continue }
                    guard let wrapped = try? KeyWrap.withUnwrapped(
                        row.wrappedKey, under: old.wrap, context: claims.dataKeyContext(old.format),
                        { (dataKey) throws(CryptoError) in KeyWrap.wrap(dataKey, under: old.wrap, context: claims.dataKeyContext(.current)) })
                    else { continue }
                    rewrapped.append((row.lookup, wrapped))
                }
                rows.reset()
                for (lookup, wrapped) in rewrapped {
                    try connection.statement("UPDATE entries SET wrapped_key = ? WHERE lookup = ?").bind(0, wrapped).bind(1, lookup).run()
                }
                try connection.statement("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)")
                    .bind(0, Schema.Meta.indexKey)
                    .bind(1, KeyWrap.wrap(old.index, under: old.wrap, context: Records.indexContext(vault, format: .current))).run()
                try connection.execute("PRAGMA user_version = \(RecordFormat.current.rawValue)")
                writer.requestScrub()
                return rewrapped.count
            } catch {
                throw StoreError(sqlite: error)
            }
        }
        let done = DispatchSemaphore(value: 0)
        let migrated = Locked(false)
        writer.submit(GroupCommitWriter.job(exclusive: true, rewrap) { [self] result in
            // Switch only the keys this migration ran under (not keys of a later unlock).
            if case .success = result, let current = try? currentKeys(), current.format != .current {
                setKeyState(.unlocked(current.with(format: .current)))
                migrated.withLock { $0 = true }
            }
            done.signal()
        })
        done.wait()
        if migrated.withLock({ $0 }) {
            // Free space of pages older builds wrote may still hold deleted records: rebuild the file.
            writer.performOutsideTransaction { connection in
                try? connection.execute("VACUUM")
            }
        }
    }
}
