import LocketAudit
import LocketStore

/// Where the vault and the audit engine meet: the engine (`LocketAudit`) takes
/// its keys and its head's load and store as closures, the vault
/// (`LocketStore`) derives the keys and keeps the head, and neither module
/// knows the other.
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
    public var auditLogPath: String { "\(configuration.dataDirectory)/\(AuditLog.fileName)" }

    /// Reads the log of a daemon run without a writer: the files and the stored head.
    public func auditSnapshotWithoutWriter() -> AuditSnapshot {
        AuditSnapshot(files: AuditLog.readFiles(auditLogPath), head: try? storedAuditHead())
    }

    /// Opens and checks the audit log (`AuditSnapshot.read`) with this vault's
    /// audit keys and returns the entries `query` asks for. Needs the vault unlocked.
    public func readAudit(_ snapshot: AuditSnapshot, query: AuditQuery) throws(StoreError) -> AuditReadout {
        snapshot.read(keys: try auditReaderKeys(), query: query)
    }

    /// The audit keys as the reader takes them: made once per unlock and kept
    /// with the vault's audit keys, so the segment keys one `audit` read opened
    /// are not opened again by the next (they go when the vault locks).
    func auditReaderKeys() throws(StoreError) -> AuditKeys {
        let keys = try auditKeys()
        return keys.readerState.withLock { state in
            if let kept = state as? AuditKeys { return kept }
            let made = AuditKeys(publicKey: keys.publicKey, secretKey: keys.secretKey, hashKey: keys.hashKey)
            state = made
            return made
        }
    }
}
