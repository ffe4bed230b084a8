// The daemon's `audit` op reads with keys kept between reads (so the segment
// keys one read opened are not opened again by the next), and only while the
// vault stays unlocked: a lock drops them with the vault's audit keys.
import Foundation
import LocketAudit
import LocketTestSupport
@testable import LocketServer
@testable import LocketStore
import Testing

@Suite("Audit reader keys")
struct AuditReaderKeysTests {
    @Test("kept from one audit read to the next, dropped when the vault locks")
    func keptWhileUnlocked() throws {
        let folder = TemporaryFolder()
        let vault = try Vault.open(VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file))
        defer { vault.close() }
        let first = try vault.auditReaderKeys()
        #expect(try vault.auditReaderKeys() === first)
        _ = try vault.readAudit(vault.auditSnapshotWithoutWriter(), query: AuditQuery())
        #expect(try vault.auditReaderKeys() === first)
        vault.lock()
        #expect(throws: StoreError.self) { try vault.auditReaderKeys() }
        try vault.unlock()
        let afterUnlock = try vault.auditReaderKeys()
        #expect(afterUnlock !== first)
        #expect(try vault.auditReaderKeys() === afterUnlock)
    }
}
