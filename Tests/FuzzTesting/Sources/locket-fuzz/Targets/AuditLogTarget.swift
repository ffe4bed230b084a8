import Foundation
import LocketCrypto
import LocketKeyStore
import LocketTestSupport
@testable import LocketStore

/// The audit log reader (`Vault.readAudit`: a file another program can edit).
/// Random bytes never authenticate, so the input is a recipe that builds the
/// file, mixing raw bytes with frames sealed for real under this vault's audit
/// key. Each step starts with a control byte:
/// - `c % 4 == 0`: a length byte `n`, then `n` raw bytes, appended as they are;
/// - `c % 4 == 1`: a valid segment header (a fresh segment: sequence 0);
/// - `c % 4 == 2`: a length byte `n`, then `n` bytes of entry JSON, sealed as the next record;
/// - `c % 4 == 3`: a skip byte `d`, then as 2 at sequence + `d` (a gap or a repeat when `d` wraps).
/// Checked: nothing crashes, no item carries a key name (they leave the reader
/// hashed), at most `limit` items; and a file of only a header and in-order
/// records of valid entries reads back every entry with no damage reported.
enum AuditLogTarget {
    nonisolated(unsafe) static var vault: Vault?
    nonisolated(unsafe) static var folder: TemporaryFolder?
    static let segmentID = [UInt8](repeating: 0x5a, count: AuditFormat.segmentIDBytes)
    nonisolated(unsafe) static var header: [UInt8] = []
    /// The segment key as plain bytes: the harness seals with it (a guarded key costs two mprotect calls per use).
    nonisolated(unsafe) static var segmentKey: [UInt8]?

    static func setUp() {
        let folder = TemporaryFolder("locket-fuzz-audit")
        Self.folder = folder
        let opened = Result { () throws(StoreError) in
            try Vault.open(VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file))
        }
        guard case .success(let vault) = opened, let keys = try? vault.currentKeys(), let audit = keys.audit else {
            fatalError("fuzz set-up: the vault does not open unlocked with audit keys in \(folder.path)")
        }
        self.vault = vault
        let key = SecureRandom.bytes(AEAD.keyBytes)
        guard let sealed = key.withUnsafeBytes({ try? SealedBox.seal($0, to: audit.publicKey) }) else {
            fatalError("fuzz set-up: cannot seal a segment key")
        }
        segmentKey = key
        header = AuditFormat.frame(AuditFormat.headerType, [AuditFormat.version] + segmentID + audit.publicKey + sealed)
    }

    static func run(_ input: UnsafeRawBufferPointer) {
        guard let vault, let segmentKey else { return }
        var file: [UInt8] = []
        var index = 0
        var sequence: UInt64 = 0
        var records = 0
        var clean = true       // only a first header and in-order records (of valid entries: checked below)
        var sawHeader = false
        var plains: [[UInt8]] = []
        func byte() -> Int? {
            guard index < input.count else { return nil }
            defer { index += 1 }
            return Int(input[index])
        }
        func take(_ count: Int) -> [UInt8] {
            let end = min(input.count, index + count)
            defer { index = end }
            return Array(input[index..<end])
        }
        while let control = byte() {
            switch control % 4 {
            case 0:
                guard let count = byte() else { break }
                file += take(count)
                clean = false
            case 1:
                if sawHeader { clean = false }
                sawHeader = true
                file += header
                sequence = 0
            default:
                if control % 4 == 3 {
                    guard let skip = byte() else { break }
                    if skip != 0 { clean = false }
                    sequence &+= UInt64(skip)
                }
                guard let count = byte() else { break }
                let plain = take(count)
                if !sawHeader { clean = false }
                plains.append(plain)
                var body: [UInt8] = []
                AuditFormat.appendU64(&body, sequence)
                let ad = AuditFormat.associatedData(segment: segmentID, sequence: sequence)
                body += plain.withUnsafeBytes { p in
                    segmentKey.withUnsafeBytes { k in ad.withUnsafeBytes { AEAD.seal(p, key: k, associatedData: $0) } }
                }
                file += AuditFormat.frame(AuditFormat.recordType, body)
                sequence &+= 1
                records += 1
            }
        }
        let limit = 1 + (input.first.map(Int.init) ?? 0) % 64
        let read = Result { () throws(StoreError) in
            // A log with version-1 (unlinked) segments and no head in the vault: the chain checks that
            // need a head do not apply, so a well-formed log still reads back whole.
            try vault.readAudit(AuditSnapshot(files: [(name: "audit.log", bytes: file)], head: nil), query: AuditQuery(limit: limit))
        }
        guard case .success(let readout) = read else { Invariant.fail("audit-log: an unlocked vault reads any file") }
        guard readout.items.count <= limit else { Invariant.fail("audit-log: more items than the limit") }
        guard readout.items.allSatisfy({ $0.key == nil }) else { Invariant.fail("audit-log: a key name leaves the reader") }
        // Whether every record holds a valid entry is asked only when the readout suggests otherwise.
        if clean, !readout.damage.isEmpty || readout.items.count != min(records, limit) {
            let decoder = JSONDecoder()
            clean = plains.allSatisfy { (try? decoder.decode(AuditEntry.self, from: Data($0))) != nil }
        }
        if clean {
            guard readout.damage.isEmpty else { Invariant.fail("audit-log: damage reported in a well-formed log") }
            guard readout.items.count == min(records, limit) else {
                Invariant.fail("audit-log: a well-formed log does not read back every record")
            }
        }
    }
}
