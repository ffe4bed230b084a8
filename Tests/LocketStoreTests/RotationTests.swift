// Key rotation (architecture, "Keys"): rotating the master key re-wraps data
// keys only; afterwards the old key opens nothing; a crash at any step leaves
// one key that opens the vault, and the next open finishes the rotation.
import Foundation
import LocketKeyStore
import LocketStore
import Testing

@Suite("Master key rotation")
struct RotationTests {
    static func fill(_ vault: Vault, count: Int = 20) throws -> [String: [UInt8]] {
        var values: [String: [UInt8]] = [:]
        for index in 0..<count {
            let value = bytes("{\"i\":\(index),\"token\":\"t-\(index)-\(UUID().uuidString)\"}")
            _ = try vault.put(ns: "ns\(index % 3)", key: "k\(index)", value: value, ttl: index.isMultiple(of: 2) ? 3600 : nil)
            values["ns\(index % 3)/k\(index)"] = value
        }
        return values
    }

    static func expectAll(_ vault: Vault, _ values: [String: [UInt8]], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (name, value) in values {
            let parts = name.split(separator: "/").map(String.init)
            #expect(try vault.get(ns: parts[0], key: parts[1]).value == value, sourceLocation: sourceLocation)
        }
        #expect(try vault.list().unreadable == 0, sourceLocation: sourceLocation)
        #expect(try vault.list().items.count == values.count, sourceLocation: sourceLocation)
    }

    @Test("after rotation every entry reads back equal, also after a reopen")
    func entriesSurvive() throws {
        let harness = VaultHarness()
        let values = try harness.withVault { (vault) throws in
            let values = try Self.fill(vault)
            let versions = try vault.list().items.map(\.version)
            #expect(try vault.rotateMasterKey() == values.count)
            try Self.expectAll(vault, values)
            #expect(try vault.list().items.map(\.version) == versions)
            // Writes after the rotation use the new key too.
            _ = try vault.put(ns: "ns0", key: "k0", value: bytes("\"after\""))
            return values.merging(["ns0/k0": bytes("\"after\"")]) { $1 }
        }
        try harness.withVault { (vault) throws in
            #expect(vault.state == .unlocked)
            try Self.expectAll(vault, values)
            #expect(try vault.rotateMasterKey() == values.count) // and once more
            try Self.expectAll(vault, values)
        }
    }

    @Test("rotation replaces the key file's bytes and leaves no next key file")
    func keyFileChanges() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try Self.fill(vault, count: 3)
            let current = harness.keyPath(vault.vaultID)
            let next = harness.keyPath(vault.vaultID, slot: .next)
            let before = try #require(Files.read(current))
            try vault.rotateMasterKey()
            let after = try #require(Files.read(current))
            #expect(after != before)
            #expect(after.bytes.count == 40)
            #expect(Array(after.bytes.prefix(8)) == bytes("LOCKETK1"))
            #expect(!Files.exists(next))
            // Rotating an empty-ish vault twice gives yet another key.
            try vault.rotateMasterKey()
            #expect(try #require(Files.read(current)) != after)
            #expect(!Files.exists(next))
        }
    }

    @Test("after rotation the old key no longer opens the vault: wrong key")
    func oldKeyIsWrong() throws {
        let harness = VaultHarness()
        let (id, oldKey) = try harness.withVault { (vault) throws in
            _ = try Self.fill(vault, count: 3)
            let old = try #require(Files.read(harness.keyPath(vault.vaultID)))
            try vault.rotateMasterKey()
            return (vault.vaultID, old)
        }
        try Files.writePrivate(harness.keyPath(id), oldKey)
        try harness.withVault { (vault) throws in
            #expect(vault.state == .locked(.wrongKey(.file)))
            #expect(throws: StoreError.locked(.wrongKey(.file))) { try vault.get(ns: "ns0", key: "k0") }
        }
    }

    @Test("a crash after the rotation committed but before promotion: reopen promotes the next key")
    func crashBeforePromotion() throws {
        let harness = VaultHarness()
        let (id, values, oldKey, newKey) = try harness.withVault { (vault) throws in
            let values = try Self.fill(vault, count: 10)
            let old = try #require(Files.read(harness.keyPath(vault.vaultID)))
            try vault.rotateMasterKey()
            let new = try #require(Files.read(harness.keyPath(vault.vaultID)))
            return (vault.vaultID, values, old, new)
        }
        // The state a crash between COMMIT and promotion leaves: next = new, current = old.
        try Files.writePrivate(harness.keyPath(id, slot: .next), newKey)
        try Files.writePrivate(harness.keyPath(id), oldKey)
        try harness.withVault { (vault) throws in
            #expect(vault.state == .unlocked)
            try Self.expectAll(vault, values)
            #expect(Files.read(harness.keyPath(id)) == newKey)
            #expect(!Files.exists(harness.keyPath(id, slot: .next)))
        }
        // Promoted for good: the next open needs no next file.
        try harness.withVault { (vault) throws in
            #expect(vault.state == .unlocked)
            try Self.expectAll(vault, values)
        }
    }

    @Test("a crash before the rotation committed: the current key still opens, a stray next key is ignored")
    func crashBeforeCommit() throws {
        let harness = VaultHarness()
        let (id, values, key) = try harness.withVault { (vault) throws in
            let values = try Self.fill(vault, count: 5)
            return (vault.vaultID, values, try #require(Files.read(harness.keyPath(vault.vaultID))))
        }
        // A next key was stored but the re-wrap never committed.
        try Files.writePrivate(harness.keyPath(id, slot: .next), Files.randomKeyFile())
        try harness.withVault { (vault) throws in
            #expect(vault.state == .unlocked)
            try Self.expectAll(vault, values)
            #expect(Files.read(harness.keyPath(id)) == key)
            // A later rotation overwrites the stray next key and cleans it up.
            try vault.rotateMasterKey()
            #expect(!Files.exists(harness.keyPath(id, slot: .next)))
            try Self.expectAll(vault, values)
        }
    }

    @Test("rotation of a locked vault is refused and changes nothing")
    func lockedRotation() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try Self.fill(vault, count: 2)
            let key = Files.read(harness.keyPath(vault.vaultID))
            vault.lock()
            #expect(throws: StoreError.locked(.requested)) { try vault.rotateMasterKey() }
            #expect(Files.read(harness.keyPath(vault.vaultID)) == key)
            #expect(!Files.exists(harness.keyPath(vault.vaultID, slot: .next)))
        }
    }
}
