// A vault whose master key the TPM seals (tpm2 key store), against a real
// software TPM: the key never on disk, crash-safe rotation with the `current`
// and `next` sealed blobs, `auto` choosing the TPM, and a recorded store kept.
import Foundation
import LocketCrypto
import LocketKeyStore
import LocketStore
import LocketTestSupport
import Testing

@Suite("Vault with the tpm2 key store")
struct TPMVaultTests {
    let harness = VaultHarness("locket-tpmvault")

    func configuration(_ tpm: SoftwareTPM, _ choice: KeyStoreChoice = .tpm2) -> VaultConfiguration {
        var configuration = harness.configuration(keyStore: choice)
        configuration.tpmTCTI = tpm.tcti
        return configuration
    }

    func store(_ tpm: SoftwareTPM) -> TPM2KeyStore { TPM2KeyStore(folder: harness.dataDirectory, tcti: tpm.tcti) }

    func withVault<R>(_ tpm: SoftwareTPM, _ choice: KeyStoreChoice = .tpm2, _ body: (Vault) throws -> R) throws -> R {
        let vault = try Vault.open(configuration(tpm, choice))
        defer { vault.close() }
        return try body(vault)
    }

    @Test("the master key (before and after a rotation) appears in no file of the data folder")
    func keyNeverInDataFolder() throws {
        let tpm = try SoftwareTPM()
        let id = try withVault(tpm) { vault in
            #expect(vault.keyStoreKind == .tpm2)
            _ = try RotationTests.fill(vault, count: 5)
            return vault.vaultID
        }
        let first = try #require(try store(tpm).loadKey(vault: id, slot: .current))
        try withVault(tpm) { vault in
            #expect(vault.state == .unlocked)
            try vault.rotateMasterKey()
        }
        let second = try #require(try store(tpm).loadKey(vault: id, slot: .current))
        #expect(!second.hasSameBytes(as: first))
        #expect(!Files.exists(store(tpm).path(vault: id, slot: .next)))
        let files = Files.snapshot(harness.dataDirectory)
        #expect(files.keys.contains { $0.hasSuffix(".tpm") })
        for key in [first, second] {
            let needle = key.withUnsafeBytes { Array($0) }
            for (name, blob) in files {
                #expect(!Files.contains(blob, needle), "\(name) holds a master key")
            }
        }
        #expect(try tpm.transientHandles() == [])
    }

    @Test("a crash after the rotation committed but before promotion: reopen promotes the sealed next key")
    func crashBeforePromotion() throws {
        let tpm = try SoftwareTPM()
        let (id, values) = try withVault(tpm) { vault in (vault.vaultID, try RotationTests.fill(vault, count: 8)) }
        let current = store(tpm).path(vault: id, slot: .current), next = store(tpm).path(vault: id, slot: .next)
        let oldBlob = try #require(Files.read(current))
        _ = try withVault(tpm) { vault in try vault.rotateMasterKey() }
        let newBlob = try #require(Files.read(current))
        let newKey = try #require(try store(tpm).loadKey(vault: id, slot: .current))
        // What a crash between COMMIT and promotion leaves: next = new, current = old.
        try Files.writePrivate(next, newBlob)
        try Files.writePrivate(current, oldBlob)
        try withVault(tpm) { vault in
            #expect(vault.state == .unlocked)
            try RotationTests.expectAll(vault, values)
        }
        // Promoted: `current` now seals the new key (sealed afresh, so other bytes), `next` is gone.
        #expect(try #require(try store(tpm).loadKey(vault: id, slot: .current)).hasSameBytes(as: newKey))
        #expect(!Files.exists(next))
    }

    @Test("a crash before the rotation committed: the current sealed key opens, a stray sealed next key is ignored")
    func crashBeforeCommit() throws {
        let tpm = try SoftwareTPM()
        let (id, values) = try withVault(tpm) { vault in (vault.vaultID, try RotationTests.fill(vault, count: 5)) }
        try store(tpm).saveKey(try SecureKey.random(), vault: id, slot: .next)
        try withVault(tpm) { vault in
            #expect(vault.state == .unlocked)
            try RotationTests.expectAll(vault, values)
            try vault.rotateMasterKey()
            try RotationTests.expectAll(vault, values)
        }
        #expect(!Files.exists(store(tpm).path(vault: id, slot: .next)))
    }

    @Test("rotation while the TPM is down fails with the reason and changes nothing; lock/unlock recovers once it is back")
    func rotationWithTPMDown() throws {
        let tpm = try SoftwareTPM()
        let vault = try Vault.open(configuration(tpm))
        defer { vault.close() }
        let values = try RotationTests.fill(vault, count: 4)
        let before = Files.snapshot(harness.dataDirectory) { $0.hasPrefix("vault.sqlite") || $0 == "audit.log" }
        tpm.stop()
        #expect(throws: StoreError.self) { try vault.rotateMasterKey() }
        #expect(Files.snapshot(harness.dataDirectory) { $0.hasPrefix("vault.sqlite") || $0 == "audit.log" } == before)
        try RotationTests.expectAll(vault, values)  // the key is still in memory
        vault.lock()
        do {
            try vault.unlock()
            Issue.record("unlock worked with the TPM down")
        } catch {
            #expect("\(error)".contains("cannot reach the TPM"), "\(error)")
        }
        try tpm.start()
        try vault.unlock()
        try RotationTests.expectAll(vault, values)
    }

    @Test("auto: no Secret Service, a usable TPM: a new vault takes tpm2, with no notice")
    func autoChoosesTPM() throws {
        let tpm = try SoftwareTPM()
        try withVault(tpm, .auto) { vault in
            #expect(vault.keyStoreKind == .tpm2)
            #expect(vault.keyStoreNotice == nil)
            #expect(vault.state == .unlocked)
        }
    }

    @Test("auto: no Secret Service and no TPM: the key file, with a notice naming both")
    func autoFallsBackToFile() throws {
        var configuration = harness.configuration(keyStore: .auto)
        configuration.tpmTCTI = "device:/nonexistent/tpmrm0"
        let vault = try Vault.open(configuration)
        defer { vault.close() }
        #expect(vault.keyStoreKind == .file)
        #expect(vault.keyStoreNotice?.contains("no usable TPM") == true)
        #expect(vault.keyStoreNotice?.contains("device:/nonexistent/tpmrm0") == true)
    }

    @Test("an existing file vault stays on the file store under auto even when a TPM is there")
    func existingVaultKeepsStore() throws {
        let tpm = try SoftwareTPM()
        let values = try harness.withVault(keyStore: .file) { vault in try RotationTests.fill(vault, count: 3) }
        try withVault(tpm, .auto) { vault in
            #expect(vault.keyStoreKind == .file)
            try RotationTests.expectAll(vault, values)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.dataDirectory).allSatisfy { !$0.hasSuffix(".tpm") })
    }

    @Test("another TPM: the vault opens locked with the reason, and nothing on disk changes")
    func otherTPMLocked() throws {
        let tpm = try SoftwareTPM(), other = try SoftwareTPM()
        let values = try withVault(tpm) { vault in try RotationTests.fill(vault, count: 3) }
        let before = Files.snapshot(harness.dataDirectory) { $0 == "vault.lock" }
        try withVault(other) { vault in
            guard case .locked(let reason) = vault.state else {
                Issue.record("the vault opened with another TPM")
                return
            }
            #expect(reason.description.hasPrefix("tpm2: the TPM cannot load"), "\(reason)")
            #expect(reason.description.contains("another machine's TPM"))
            #expect(throws: StoreError.self) { try vault.unlock() }
        }
        #expect(Files.snapshot(harness.dataDirectory) { $0 == "vault.lock" } == before)
        try withVault(tpm) { vault in try RotationTests.expectAll(vault, values) }
    }
}
