// Protocol v1, "Names, values, time": `ns` and `key` are 1 to 256 UTF-8 bytes
// with no control characters (U+0000–U+001F, U+007F); `ttl` is a positive number of seconds.
import Foundation
import LocketStore
import Testing

@Suite("Names and ttl")
struct NameRuleTests {
    /// 128 × "é" (2 bytes each) = 256 UTF-8 bytes, but only 128 characters.
    static let name256 = String(repeating: "é", count: 128)
    static let name257 = name256 + "a"

    @Test("names of 256 UTF-8 bytes are accepted for ns and key")
    func longestNames() throws {
        #expect(Self.name256.utf8.count == 256)
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            let ascii = String(repeating: "k", count: 256)
            _ = try vault.put(ns: Self.name256, key: ascii, value: bytes("1"))
            _ = try vault.put(ns: ascii, key: Self.name256, value: bytes("2"))
            #expect(try vault.get(ns: Self.name256, key: ascii).value == bytes("1"))
            #expect(try vault.get(ns: ascii, key: Self.name256).value == bytes("2"))
            #expect(try vault.list(ns: Self.name256).items.map(\.key) == [ascii])
        }
    }

    @Test("a name of 257 UTF-8 bytes is invalid for every operation")
    func tooLong() throws {
        #expect(Self.name257.utf8.count == 257)
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            try expectInvalidName(vault, ns: Self.name257, key: "k")
            try expectInvalidName(vault, ns: "n", key: Self.name257)
            let listError = #expect(throws: StoreError.self) { try vault.list(ns: Self.name257) }
            #expect(listError?.isInvalidName == true)
        }
    }

    @Test("an empty name is invalid")
    func empty() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            try expectInvalidName(vault, ns: "", key: "k")
            try expectInvalidName(vault, ns: "n", key: "")
            let listError = #expect(throws: StoreError.self) { try vault.list(ns: "") }
            #expect(listError?.isInvalidName == true)
        }
    }

    @Test("control characters U+0000, U+001F, U+007F (and the rest of C0) are invalid",
          arguments: ["\u{0}", "\u{1}", "\u{9}", "\u{a}", "\u{d}", "\u{1b}", "\u{1f}", "\u{7f}"])
    func controlCharacters(control: String) throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            try expectInvalidName(vault, ns: "a\(control)b", key: "k")
            try expectInvalidName(vault, ns: "n", key: "a\(control)b")
            try expectInvalidName(vault, ns: control, key: "k")
            #expect(try vault.count() == 0)
        }
    }

    @Test("characters just outside the control ranges are valid: space, ~, U+0080, U+00A0")
    func nearControlCharacters() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            for name in [" ", "~", "a\u{80}b", "\u{a0}"] {
                _ = try vault.put(ns: "edge", key: name, value: bytes("true"))
                #expect(try vault.get(ns: "edge", key: name).value == bytes("true"))
            }
        }
    }

    @Test("ttl 0 or negative is invalid_ttl; a positive ttl is accepted", arguments: [0, -1, Int.min])
    func invalidTTL(ttl: Int) throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            #expect(throws: StoreError.invalidTTL) { try vault.put(ns: "n", key: "k", value: bytes("1"), ttl: ttl) }
            #expect(throws: StoreError.notFound) { try vault.get(ns: "n", key: "k") }
            let result = try vault.put(ns: "n", key: "k", value: bytes("1"), ttl: 1)
            #expect(result.expiresAt == harness.clock.now.addingTimeInterval(1))
        }
    }

    private func expectInvalidName(_ vault: Vault, ns: String, key: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let put = #expect(throws: StoreError.self, sourceLocation: sourceLocation) {
            try vault.put(ns: ns, key: key, value: bytes("1"))
        }
        #expect(put?.isInvalidName == true, sourceLocation: sourceLocation)
        let get = #expect(throws: StoreError.self, sourceLocation: sourceLocation) { try vault.get(ns: ns, key: key) }
        #expect(get?.isInvalidName == true, sourceLocation: sourceLocation)
        let delete = #expect(throws: StoreError.self, sourceLocation: sourceLocation) { try vault.delete(ns: ns, key: key) }
        #expect(delete?.isInvalidName == true, sourceLocation: sourceLocation)
    }
}
