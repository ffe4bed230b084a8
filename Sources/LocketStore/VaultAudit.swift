import Foundation
import LocketCrypto

extension Vault {
    /// Starts this vault's audit log writer (`audit.log` in the data folder).
    /// `summary` is called on the writer's thread for each entry written.
    public func makeAuditLog(maxBytes: Int = 4 << 20, queueCapacity: Int = 4096,
                             summary: (@Sendable (AuditEntry) -> Void)? = nil) -> AuditLog {
        AuditLog(folder: configuration.dataDirectory, maxBytes: maxBytes, queueCapacity: queueCapacity,
                 keys: { [self] in auditWritingKeys() }, summary: summary)
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

    /// Opens and checks the audit log's files (oldest first, as `AuditLog.snapshot`
    /// gives them) and returns the entries `query` asks for. Needs the vault unlocked.
    ///
    /// Every record is authenticated; one that does not open, a gap in a
    /// segment's sequence numbers, a segment sealed to another key, or a torn
    /// or unreadable tail is reported in `damage`, never skipped silently.
    public func readAudit(_ files: [(name: String, bytes: [UInt8])], query: AuditQuery) throws(StoreError) -> AuditReadout {
        let keys = try currentKeys()
        guard let audit = keys.audit else { throw .unavailable("the audit keys could not be derived (out of guarded memory)") }
        let decoder = JSONDecoder()
        var items: [AuditEntry] = []
        var damage: [String] = []
        let since = query.since.map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) }
        for (name, bytes) in files {
            let (frames, end) = AuditFormat.frames(bytes)
            var segment: (id: [UInt8], key: SecureKey?, next: UInt64)?
            var unreadable = 0
            func closeSegment() {
                if let current = segment, current.key == nil, unreadable > 0 {
                    damage.append("\(name): \(unreadable) record(s) of segment \(AuditFormat.hex(current.id.prefix(4))) cannot be opened")
                }
                unreadable = 0
            }
            for frame in frames {
                let body = Array(frame.body)
                if frame.type == AuditFormat.headerType {
                    closeSegment()
                    guard body.count == AuditFormat.headerBodyBytes, body[0] == AuditFormat.version else {
                        damage.append("\(name): malformed segment header at byte \(frame.offset)")
                        segment = ([], nil, 0)
                        continue
                    }
                    let id = Array(body[1..<17])
                    let publicKey = Array(body[17..<49])
                    let sealed = Array(body[49...])
                    guard publicKey == audit.publicKey else {
                        damage.append("\(name): segment \(AuditFormat.hex(id.prefix(4))) is sealed to another vault's audit key")
                        segment = (id, nil, 0)
                        continue
                    }
                    guard let key = try? SealedBox.openKey(sealed, publicKey: audit.publicKey, secretKey: audit.secretKey),
                          key.count == AEAD.keyBytes else {
                        damage.append("\(name): the key of segment \(AuditFormat.hex(id.prefix(4))) does not open (tampered header)")
                        segment = (id, nil, 0)
                        continue
                    }
                    segment = (id, key, 0)
                    continue
                }
                guard let current = segment else {
                    damage.append("\(name): a record at byte \(frame.offset) comes before any segment header")
                    continue
                }
                guard let key = current.key else {
                    unreadable += 1
                    continue
                }
                guard body.count >= 8 + AEAD.overhead else {
                    damage.append("\(name): record at byte \(frame.offset) is too short")
                    continue
                }
                let sequence = AuditFormat.readU64(body, 0)
                if sequence != current.next {
                    damage.append(sequence > current.next
                        ? "\(name): \(sequence - current.next) record(s) missing before byte \(frame.offset) in segment \(AuditFormat.hex(current.id.prefix(4)))"
                        : "\(name): record \(sequence) of segment \(AuditFormat.hex(current.id.prefix(4))) is out of order (byte \(frame.offset))")
                }
                segment!.next = max(current.next, sequence &+ 1)
                let ad = AuditFormat.associatedData(segment: current.id, sequence: sequence)
                guard var plain = try? AEAD.open(Array(body[8...]), key: key, associatedData: ad) else {
                    damage.append("\(name): record \(sequence) of segment \(AuditFormat.hex(current.id.prefix(4))) does not authenticate (tampered)")
                    continue
                }
                defer { secureZero(&plain) }
                guard var entry = try? decoder.decode(AuditEntry.self, from: Data(plain)) else {
                    damage.append("\(name): record \(sequence) of segment \(AuditFormat.hex(current.id.prefix(4))) is not a valid entry")
                    continue
                }
                if let key = entry.key {
                    // Written while locked: hash the name now; it never leaves this function.
                    entry.keyHash = AuditKeys.keyHash(key, hashKey: audit.hashKey)
                    entry.key = nil
                }
                if let since, entry.time < since { continue }
                if let ns = query.ns, entry.ns != ns { continue }
                items.append(entry)
            }
            closeSegment()
            if end < bytes.count {
                damage.append("\(name): \(bytes.count - end) byte(s) at the end are not a whole record (torn write or tampering)")
            }
        }
        if items.count > query.limit { items.removeFirst(items.count - query.limit) }
        return AuditReadout(items: items, damage: damage)
    }
}
