#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto

/// What the vault keeps for the audit log: its keys (derived from the index
/// key) and its sealed head (row `audit_head` in `meta`). The log itself (its
/// writer, file format and reader) is `LocketAudit`'s; the daemon wires the two.
extension Vault {
    /// The public key (from meta; there even while locked) and, when unlocked, the hash key:
    /// what the audit writer needs to seal entries and hash key names.
    public func auditWritingKeys() -> (publicKey: [UInt8]?, hashKey: SecureKey?) {
        let publicKey = auditPublicKey.withLock { $0 }
        guard let keys = try? currentKeys() else { return (publicKey, nil) }
        return (keys.audit?.publicKey ?? publicKey, keys.audit?.hashKey)
    }

    /// All of the audit log's keys (reading it needs the secret key). Needs the vault unlocked.
    public func auditKeys() throws(StoreError) -> VaultAuditKeys {
        guard let audit = try currentKeys().audit else {
            throw .unavailable("the audit keys could not be derived (out of guarded memory)")
        }
        return audit
    }

    func recordAuditPublicKey(_ key: [UInt8]) throws(StoreError) {
        try writer.perform { (connection) throws(StoreError) in
            do {
                try connection.statement("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)")
                    .bind(0, Schema.Meta.auditPublicKey).bind(1, key).run()
            } catch {
                throw StoreError(sqlite: error)
            }
        }
        auditPublicKey.withLock { $0 = key }
    }

    /// The sealed audit head in `meta` (row `audit_head`), if there is one. Works while locked.
    public func storedAuditHead() throws(StoreError) -> [UInt8]? {
        try readers.read { (connection) throws(StoreError) -> [UInt8]? in
            do {
                let statement = try connection.statement("SELECT value FROM meta WHERE name = ?").bind(0, Schema.Meta.auditHead)
                defer { statement.reset() }
                return try statement.step() ? statement.blob(0) : nil
            } catch {
                throw StoreError(sqlite: error)
            }
        }
    }

    /// Replaces the sealed audit head (the audit writer calls it after each sync).
    public func storeAuditHead(_ head: [UInt8]) throws(StoreError) {
        try writer.perform { (connection) throws(StoreError) in
            do {
                try connection.statement("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)")
                    .bind(0, Schema.Meta.auditHead).bind(1, head).run()
            } catch {
                throw StoreError(sqlite: error)
            }
        }
    }
}
