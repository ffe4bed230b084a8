// Architecture, "Keys": a vault whose key store holds no key, or a different
// one, starts locked and says why; it never makes a new key for a store that
// already has data, and while locked nothing on disk changes.
import Foundation
import LocketKeyStore
import LocketStore
import Testing

@Suite("Locked vaults: wrong key, no key, mismatch, lock/unlock")
struct LockedVaultTests {
    /// Creates a vault with a few entries and closes it; returns its id and values.
    static func prepare(_ harness: VaultHarness) throws -> (VaultID, Blob) {
        try harness.withVault { (vault) throws in
            for index in 0..<5 {
                _ = try vault.put(ns: "app", key: "user\(index)", value: bytes("{\"i\":\(index)}"))
            }
            return (vault.vaultID, try #require(Files.read(harness.keyPath(vault.vaultID))))
        }
    }

    /// Everything in the data folder but the lock file and key files.
    static func dataFiles(_ harness: VaultHarness) -> [String: Blob] {
        Files.snapshot(harness.dataDirectory) { $0 == "vault.lock" || $0.hasPrefix("master-") }
    }

    static func expectLockedOperations(_ vault: Vault, _ reason: LockReason,
                                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(vault.state == .locked(reason), sourceLocation: sourceLocation)
        #expect(throws: StoreError.locked(reason), sourceLocation: sourceLocation) { try vault.get(ns: "app", key: "user0") }
        #expect(throws: StoreError.locked(reason), sourceLocation: sourceLocation) {
            try vault.put(ns: "app", key: "user0", value: bytes("\"overwritten\""))
        }
        #expect(throws: StoreError.locked(reason), sourceLocation: sourceLocation) { try vault.put(ns: "app", key: "new", value: bytes("1")) }
        #expect(throws: StoreError.locked(reason), sourceLocation: sourceLocation) { try vault.delete(ns: "app", key: "user1") }
        #expect(throws: StoreError.locked(reason), sourceLocation: sourceLocation) { try vault.list() }
        #expect(throws: StoreError.locked(reason), sourceLocation: sourceLocation) { try vault.sweepExpired() }
    }

    @Test("a different key in the key file: opens locked(wrongKey), every data op is locked, no byte on disk changes")
    func wrongKey() throws {
        let harness = VaultHarness()
        let (id, _) = try Self.prepare(harness)
        let foreignKey = Files.randomKeyFile()
        try Files.writePrivate(harness.keyPath(id), foreignKey)
        let before = Self.dataFiles(harness)
        #expect(before.keys.contains("vault.sqlite"))
        try harness.withVault { (vault) throws in
            #expect(vault.vaultID == id)
            Self.expectLockedOperations(vault, .wrongKey(.file))
            #expect(try vault.count() == 5) // count reads no secret
        }
        #expect(Self.dataFiles(harness) == before)
        // The key file is left as it was: no new key is made for a vault with data.
        #expect(Files.read(harness.keyPath(id)) == foreignKey)
    }

    @Test("no key file: opens locked(noKey), every data op is locked, no byte on disk changes, no key is made")
    func noKey() throws {
        let harness = VaultHarness()
        let (id, _) = try Self.prepare(harness)
        try FileManager.default.removeItem(atPath: harness.keyPath(id))
        let before = Self.dataFiles(harness)
        try harness.withVault { (vault) throws in
            Self.expectLockedOperations(vault, .noKey(.file))
        }
        #expect(Self.dataFiles(harness) == before)
        #expect(!Files.exists(harness.keyPath(id)))
        #expect(!Files.exists(harness.keyPath(id, slot: .next)))
    }

    @Test("asking for the passphrase store on a file vault: locked(keyStoreMismatch)")
    func keyStoreMismatch() throws {
        let harness = VaultHarness()
        _ = try Self.prepare(harness)
        let before = Self.dataFiles(harness)
        try harness.withVault(keyStore: .passphrase) { (vault) throws in
            #expect(vault.keyStoreKind == .file)
            Self.expectLockedOperations(vault, .keyStoreMismatch(recorded: .file, requested: .passphrase))
        }
        #expect(Self.dataFiles(harness) == before)
        // auto uses the recorded store.
        try harness.withVault(keyStore: .auto) { (vault) throws in
            #expect(vault.state == .unlocked)
            #expect(try vault.get(ns: "app", key: "user0").value == bytes("{\"i\":0}"))
        }
    }

    @Test("unlock after restoring the right key file: unlocked and data readable")
    func unlockAfterRestore() throws {
        let harness = VaultHarness()
        let (id, rightKey) = try Self.prepare(harness)
        try Files.writePrivate(harness.keyPath(id), Files.randomKeyFile())
        try harness.withVault { (vault) throws in
            #expect(vault.state == .locked(.wrongKey(.file)))
            #expect(throws: StoreError.locked(.wrongKey(.file))) { try vault.unlock() }
            #expect(vault.state == .locked(.wrongKey(.file)))
            try Files.writePrivate(harness.keyPath(id), rightKey)
            try vault.unlock()
            #expect(vault.state == .unlocked)
            for index in 0..<5 {
                #expect(try vault.get(ns: "app", key: "user\(index)").value == bytes("{\"i\":\(index)}"))
            }
            #expect(try vault.put(ns: "app", key: "user0", value: bytes("2")).version == 2)
        }
    }

    @Test("unlock after a deleted key file is restored: unlocked")
    func unlockAfterNoKey() throws {
        let harness = VaultHarness()
        let (id, rightKey) = try Self.prepare(harness)
        try FileManager.default.removeItem(atPath: harness.keyPath(id))
        try harness.withVault { (vault) throws in
            #expect(throws: StoreError.locked(.noKey(.file))) { try vault.unlock() }
            try Files.writePrivate(harness.keyPath(id), rightKey)
            try vault.unlock()
            #expect(try vault.list().items.count == 5)
        }
    }

    @Test("lock() drops the keys: get is locked(requested); unlock() brings them back")
    func lockRequested() throws {
        let harness = VaultHarness()
        _ = try Self.prepare(harness)
        try harness.withVault { (vault) throws in
            #expect(try vault.get(ns: "app", key: "user0").version == 1)
            vault.lock()
            Self.expectLockedOperations(vault, .requested)
            try vault.unlock()
            #expect(vault.state == .unlocked)
            #expect(try vault.get(ns: "app", key: "user0").value == bytes("{\"i\":0}"))
        }
    }

    @Test("a key file readable by others is refused: locked with the key store's reason")
    func insecureKeyFile() throws {
        let harness = VaultHarness()
        let (id, _) = try Self.prepare(harness)
        #expect(chmod(harness.keyPath(id), 0o644) == 0)
        try harness.withVault { (vault) throws in
            guard case .locked(.keyStore(.file, .insecureFile)) = vault.state else {
                Issue.record("expected locked(keyStore(file, insecureFile)), got \(vault.state)")
                return
            }
            #expect(throws: StoreError.self) { try vault.get(ns: "app", key: "user0") }
        }
    }
}
