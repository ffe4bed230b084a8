import Foundation
import LocketCrypto

extension Vault {
    /// Starts this vault's audit log writer (`audit.log` in the data folder).
    /// `summary` is called on the writer's thread for each entry written.
    public func makeAuditLog(maxBytes: Int = 4 << 20, queueCapacity: Int = 4096,
                             summary: (@Sendable (AuditEntry) -> Void)? = nil) -> AuditLog {
        AuditLog(folder: configuration.dataDirectory, maxBytes: maxBytes, queueCapacity: queueCapacity,
                 keys: { [self] in auditWritingKeys() },
                 loadHead: { [self] in try? storedAuditHead() },
                 storeHead: { [self] head in try? storeAuditHead(head) },
                 summary: summary)
    }

    /// Where the audit log lives (`audit.log`, then `audit.log.1`).
    public var auditLogPath: String { "\(configuration.dataDirectory)/audit.log" }

    /// The public key (from meta; there even while locked) and, when unlocked, the hash key.
    func auditWritingKeys() -> (publicKey: [UInt8]?, hashKey: SecureKey?) {
        let publicKey = auditPublicKey.withLock { $0 }
        guard let keys = try? currentKeys() else { return (publicKey, nil) }
        return (keys.audit?.publicKey ?? publicKey, keys.audit?.hashKey)
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
                let statement = try connection.statement("SELECT value FROM meta WHERE name = ?").bind(0, AuditHead.metaName)
                defer { statement.reset() }
                return try statement.step() ? statement.blob(0) : nil
            } catch {
                throw StoreError(sqlite: error)
            }
        }
    }

    /// Replaces the sealed audit head (the audit writer calls it after each sync).
    func storeAuditHead(_ head: [UInt8]) throws(StoreError) {
        try writer.perform { (connection) throws(StoreError) in
            do {
                try connection.statement("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)")
                    .bind(0, AuditHead.metaName).bind(1, head).run()
            } catch {
                throw StoreError(sqlite: error)
            }
        }
    }

    /// Reads the log of a daemon run without a writer: the files and the stored head.
    public func auditSnapshotWithoutWriter() -> AuditSnapshot {
        AuditSnapshot(files: AuditLog.readFiles(auditLogPath), head: try? storedAuditHead())
    }

    /// Opens and checks the audit log (files oldest first, as `AuditLog.snapshot`
    /// gives them, and the sealed head) and returns the entries `query` asks
    /// for. Needs the vault unlocked.
    ///
    /// Every record is authenticated and every segment's link and the head
    /// are checked (`AuditVerifier`); a problem is reported in `damage`, never
    /// skipped silently.
    public func readAudit(_ snapshot: AuditSnapshot, query: AuditQuery) throws(StoreError) -> AuditReadout {
        let keys = try currentKeys()
        guard let audit = keys.audit else { throw .unavailable("the audit keys could not be derived (out of guarded memory)") }
        var verifier = AuditVerifier(keys: audit, query: query)
        for (name, bytes) in snapshot.files { verifier.read(name: name, bytes: bytes) }
        return verifier.finish(head: snapshot.head)
    }
}
