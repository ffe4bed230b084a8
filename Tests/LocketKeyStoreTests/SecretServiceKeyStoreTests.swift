import Foundation
import LocketCrypto
import LocketKeyStore
import LocketTestSupport
import Testing

/// Against a real gnome-keyring on a private bus, shared by the whole test
/// process (`SharedKeyring.bus`). Each test uses its own random vault id.
@Suite("SecretServiceKeyStore: the key in the Secret Service keyring")
struct SecretServiceKeyStoreTests {
    let bus: PrivateBus
    let vault = VaultID.random()
    // Generous: the keyring is shared with tests running in parallel on 2 cores.
    let store = SecretServiceKeyStore(timeout: .seconds(15))

    init() {
        // Installs the private bus as this process's session bus before any libsecret call.
        bus = SharedKeyring.bus
    }

    /// `secret-tool search --all application locket vault <id>`, without the secret lines.
    func search(_ vault: VaultID) throws -> (items: String, attributes: String) {
        let result = try bus.secretTool(["search", "--all", "application", "locket", "vault", vault.hex])
        let items = result.stdout.split(separator: "\n").filter { !$0.hasPrefix("secret = ") }.joined(separator: "\n")
        return (items, result.stderr)
    }

    @Test("a saved key loads back with the same bytes")
    func saveLoadRoundTrip() throws {
        let key = try SecureKey.random()
        try store.saveKey(key, vault: vault, slot: .current)
        defer { try? store.deleteKey(vault: vault, slot: .current) }
        let loaded = try #require(try store.loadKey(vault: vault, slot: .current))
        #expect(loaded.hasSameBytes(as: key))
    }

    @Test("the item is found by secret-tool with application=locket, vault=<id>, slot=current and its label")
    func itemVisibleToSecretTool() throws {
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        defer { try? store.deleteKey(vault: vault, slot: .current) }
        let found = try search(vault)
        #expect(found.items.contains("label = Locket master key (vault \(vault.hex.prefix(8)))"))
        #expect(found.attributes.contains("attribute.application = locket"))
        #expect(found.attributes.contains("attribute.vault = \(vault.hex)"))
        #expect(found.attributes.contains("attribute.slot = current"))
        #expect(SecretServiceKeyStore.label(vault: vault, slot: .current) == "Locket master key (vault \(vault.short))")
    }

    @Test("the secret is the key in base64, readable by other Secret Service clients")
    func secretIsBase64OfKey() throws {
        let key = try SecureKey.random()
        try store.saveKey(key, vault: vault, slot: .current)
        defer { try? store.deleteKey(vault: vault, slot: .current) }
        let lookup = try bus.secretTool(["lookup", "application", "locket", "vault", vault.hex, "slot", "current"])
        #expect(lookup.status == 0)
        var decoded = [UInt8](Data(base64Encoded: lookup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? Data())
        defer { secureZero(&decoded) }
        #expect(decoded.count == 32)
        let fromTool = try decoded.withUnsafeBytes { try SecureKey(copying: $0) }
        #expect(fromTool.hasSameBytes(as: key))
    }

    @Test("loading the key of a vault that has none gives nil")
    func absentVaultIsNil() throws {
        #expect(try store.loadKey(vault: vault, slot: .current) == nil)
        #expect(try store.loadKey(vault: vault, slot: .next) == nil)
    }

    @Test("deleting a key removes the item; deleting again is not an error")
    func deleteRemovesItem() throws {
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        try store.deleteKey(vault: vault, slot: .current)
        #expect(try store.loadKey(vault: vault, slot: .current) == nil)
        #expect(try search(vault).items.isEmpty)
        try store.deleteKey(vault: vault, slot: .current)
    }

    @Test("the current and next slots are independent items")
    func slotsAreIndependent() throws {
        let current = try SecureKey.random(), next = try SecureKey.random()
        try store.saveKey(current, vault: vault, slot: .current)
        defer { try? store.deleteKey(vault: vault, slot: .current) }
        #expect(try store.loadKey(vault: vault, slot: .next) == nil)
        try store.saveKey(next, vault: vault, slot: .next)
        #expect(try #require(try store.loadKey(vault: vault, slot: .current)).hasSameBytes(as: current))
        #expect(try #require(try store.loadKey(vault: vault, slot: .next)).hasSameBytes(as: next))
        #expect(try search(vault).items.contains("label = Locket master key, rotation in progress (vault \(vault.short))"))
        try store.deleteKey(vault: vault, slot: .next)
        #expect(try store.loadKey(vault: vault, slot: .next) == nil)
        #expect(try #require(try store.loadKey(vault: vault, slot: .current)).hasSameBytes(as: current))
    }

    @Test("saving again replaces the key in place (one item per slot)")
    func saveReplaces() throws {
        let first = try SecureKey.random(), second = try SecureKey.random()
        try store.saveKey(first, vault: vault, slot: .current)
        defer { try? store.deleteKey(vault: vault, slot: .current) }
        try store.saveKey(second, vault: vault, slot: .current)
        #expect(try #require(try store.loadKey(vault: vault, slot: .current)).hasSameBytes(as: second))
        #expect(try search(vault).items.split(separator: "\n").filter { $0.hasPrefix("label = ") }.count == 1)
    }

    @Test("probe() succeeds when the keyring answers and is unlocked")
    func probeSucceeds() throws {
        try store.probe()
        #expect(store.kind == .secretService)
    }

    @Test("a keyring item for the vault that is not a base64 key is malformed")
    func nonBase64ItemIsMalformed() throws {
        let stored = try Subprocess.run("/usr/bin/secret-tool", [
            "store", "--label", "x", "application", "locket", "vault", vault.hex, "slot", "current",
        ], environment: bus.environment, input: "not base64 at all!", timeout: 10)
        #expect(stored.status == 0)
        defer { try? store.deleteKey(vault: vault, slot: .current) }
        #expect(keyStoreError { try store.loadKey(vault: vault, slot: .current) }?.isMalformed == true)
    }

    @Test("a keyring item holding base64 of the wrong length is malformed", arguments: [16, 31, 33, 64])
    func wrongLengthItemIsMalformed(length: Int) throws {
        let text = Data(repeating: 0x41, count: length).base64EncodedString()
        let stored = try Subprocess.run("/usr/bin/secret-tool", [
            "store", "--label", "x", "application", "locket", "vault", vault.hex, "slot", "current",
        ], environment: bus.environment, input: text, timeout: 10)
        #expect(stored.status == 0)
        defer { try? store.deleteKey(vault: vault, slot: .current) }
        #expect(keyStoreError { try store.loadKey(vault: vault, slot: .current) }?.isMalformed == true)
    }

    @Test("a key that is not 32 bytes is not stored")
    func wrongLengthKeyNotStored() throws {
        #expect(keyStoreError { try store.saveKey(try! SecureKey.random(count: 16), vault: vault, slot: .current) }?.isMalformed == true)
        #expect(try store.loadKey(vault: vault, slot: .current) == nil)
    }
}
