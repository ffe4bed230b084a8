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
import LocketKeyStore

extension Vault {
    /// Replaces the master key: every data key and the index key are re-wrapped
    /// under the new key in one transaction; afterwards the old key opens nothing.
    ///
    /// Crash-safe at every step: the new key is first stored in the key
    /// store's `next` slot; the vault's key check flips to it in the same
    /// transaction as the re-wrap; only then is it promoted to `current`. On
    /// open, whichever slot fits the key check is used (and promoted).
    /// Returns the number of entries re-wrapped.
    @discardableResult
    public func rotateMasterKey(passphrase: SecureKey? = nil) throws(StoreError) -> Int {
        _ = try currentKeys()
        var factory = configuration.keyStoreFactory
        if let passphrase { factory.passphrase = passphrase }
        let store = factory.make(keyStoreKind)
        let master: SecureKey
        let newKeys: (wrap: SecureKey, check: [UInt8])
        do {
            master = try SecureKey.random()
            newKeys = (try KeyDerivation.derive(.wrap, from: master, protection: VaultKeys.protection), try Records.keyCheck(master: master, vault: vaultID))
        } catch {
            throw .unavailable("cannot make a new master key: \(error)")
        }
        do {
            try store.saveKey(master, vault: vaultID, slot: .next)
        } catch {
            // The vault keeps its current key and stays unlocked; only the rotation failed.
            throw .unavailable("cannot store the new master key in the \(store.kind.rawValue) key store (\(error)); nothing was changed")
        }
        let vault = vaultID
        let rewrap = { [self] (connection: SQLiteConnection) throws(StoreError) -> Int in
            let old = try currentKeys()
            do {
                let rows = try connection.statement("SELECT lookup, \(StoredRow.columns) FROM entries")
                var rewrapped: [([UInt8], [UInt8])] = []
                while try rows.step() {
                    let row = StoredRow(lookup: rows.blob(0), statement: rows, offset: 1)
                    // The claims stay as they are: only the key under which they are sealed changes.
                    let context = row.claims.dataKeyContext(old.format)
                    let wrapped = try KeyWrap.withUnwrapped(row.wrappedKey, under: old.wrap, context: context) { dataKey in
                        KeyWrap.wrap(dataKey, under: newKeys.wrap, context: context)
                    }
                    rewrapped.append((row.lookup, wrapped))
                }
                rows.reset()
                let update = "UPDATE entries SET wrapped_key = ? WHERE lookup = ?"
                for (lookup, wrapped) in rewrapped {
                    try connection.statement(update).bind(0, wrapped).bind(1, lookup).run()
                }
                let setMeta = "INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)"
                try connection.statement(setMeta)
                    .bind(0, Schema.Meta.indexKey)
                    .bind(1, KeyWrap.wrap(old.index, under: newKeys.wrap, context: Records.indexContext(vault, format: old.format))).run()
                try connection.statement(setMeta).bind(0, Schema.Meta.keyCheck).bind(1, newKeys.check).run()
                // The old wrapped keys are overwritten in their pages (secure_delete); their
                // copies in the WAL go with the TRUNCATE checkpoint after this commit.
                writer.requestScrub()
                return rewrapped.count
            } catch let error as SQLiteError {
                throw StoreError(sqlite: error)
            } catch {
                throw StoreError.corrupt("a data key did not unwrap during rotation; nothing was changed")
            }
        }
        // Once committed, switch keys on the writer thread, before it runs the next
        // batch: writes wrap at run time, so none may run under the old key after the
        // commit. (The rotation runs alone in its batch.)
        let done = DispatchSemaphore(value: 0)
        let outcome = ResultBox<Int>()
        writer.submit(GroupCommitWriter.job(exclusive: true, rewrap) { [self] result in
            if case .success = result, let keys = try? currentKeys() {
                setKeyState(.unlocked(VaultKeys(wrap: newKeys.wrap, index: keys.index, audit: keys.audit, format: keys.format)))
            }
            outcome.result = result
            done.signal()
        })
        done.wait()
        let count = try outcome.result!.get()
        do {
            try store.saveKey(master, vault: vaultID, slot: .current)
            try store.deleteKey(vault: vaultID, slot: .next)
        } catch {
            // The vault already uses the new key and `next` holds it; the next open promotes it.
        }
        return count
    }
}
