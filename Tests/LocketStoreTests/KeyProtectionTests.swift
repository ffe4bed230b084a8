// Key memory policy: the sub-keys every request uses stay read-only while the
// vault is unlocked (no page toggling per use); anything else stays guarded.
@testable import LocketCrypto
@testable import LocketStore
import Testing

@Suite("Vault key protection")
struct KeyProtectionTests {
    private static func expectHotKeysReadable(_ keys: VaultKeys, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(keys.wrap.protection == .readableWhileHeld, sourceLocation: sourceLocation)
        #expect(keys.index.protection == .readableWhileHeld, sourceLocation: sourceLocation)
        #expect(keys.audit?.hashKey.protection == .readableWhileHeld, sourceLocation: sourceLocation)
        #expect(keys.audit?.secretKey.protection == .guarded, sourceLocation: sourceLocation)
    }

    @Test("wrap, index and audit hash keys are readable while held, on creation, after unlock and after rotation")
    func hotKeysReadableWhileHeld() throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        Self.expectHotKeysReadable(try vault.currentKeys())
        _ = try vault.put(ns: "p", key: "k", value: bytes("\"v\""))

        vault.lock()
        try vault.unlock()
        Self.expectHotKeysReadable(try vault.currentKeys())

        let before = try vault.currentKeys()
        try vault.rotateMasterKey()
        let after = try vault.currentKeys()
        #expect(after !== before)
        Self.expectHotKeysReadable(after)
        #expect(try vault.get(ns: "p", key: "k").value == bytes("\"v\""))
        vault.close()
    }

    @Test("locking the vault drops its keys: no data op sees them")
    func lockDropsKeys() throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        weak var held: VaultKeys?
        held = try vault.currentKeys()
        vault.lock()
        #expect(held == nil, "the keys (and their guarded pages) are freed when the vault locks")
        vault.close()
    }
}
