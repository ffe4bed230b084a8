import Foundation
import LocketAudit
import LocketCrypto
import LocketTestSupport

/// The audit engine alone, as the daemon wires it but without a vault: keys
/// made here (a real sealing pair and hash key), the sealed head kept in
/// memory in place of the vault's `meta` row, and the files in a temporary folder.
final class AuditHarness: @unchecked Sendable {
    let folder: TemporaryFolder
    let keys: AuditKeys
    private let hashKey: SecureKey
    private let lock = NSLock()
    private var storedHead: [UInt8]?
    private var locked = false

    init(_ name: String) throws {
        folder = TemporaryFolder("locket-audit-\(name)")
        let (publicKey, secretKey) = try SealedBox.keyPair(seed: try SecureKey.random())
        hashKey = try SecureKey.random(protection: .readableWhileHeld)
        keys = AuditKeys(publicKey: publicKey, secretKey: secretKey, hashKey: hashKey)
    }

    /// The head the writer last stored (the vault's `audit_head` row).
    var head: [UInt8]? {
        get { lock.withLock { storedHead } }
        set { lock.withLock { storedHead = newValue } }
    }

    /// While true the writer sees no hash key, as with a locked vault.
    var isLocked: Bool {
        get { lock.withLock { locked } }
        set { lock.withLock { locked = newValue } }
    }

    var path: String { folder.appending(AuditLog.fileName) }

    /// A writer on the folder, given the keys and head as `Vault.makeAuditLog` gives them.
    func makeLog(maxBytes: Int = 4 << 20, queueCapacity: Int = 4096) -> AuditLog {
        AuditLog(folder: folder.path, maxBytes: maxBytes, queueCapacity: queueCapacity,
                 keys: { [self] in (keys.publicKey, isLocked ? nil : hashKey) },
                 loadHead: { [self] in head },
                 storeHead: { [self] in head = $0 },
                 summary: nil)
    }

    /// Reads what is on disk now, with the stored head.
    func readStored(limit: Int = 100_000) -> AuditReadout {
        AuditSnapshot(files: AuditLog.readFiles(path), head: head).read(keys: keys, query: AuditQuery(limit: limit))
    }

    static func entry(_ index: Int, op: String = "get", key: String? = nil, outcome: String = "ok") -> AuditEntry {
        AuditEntry(time: 1_790_000_000_000 + Int64(index), op: op, ns: "app", key: key ?? "k\(index)", outcome: outcome,
                   exe: "/usr/bin/app", exeDeleted: false, pid: 42, uid: 1000, unit: nil)
    }
}
