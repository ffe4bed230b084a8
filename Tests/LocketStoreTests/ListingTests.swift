// `list` returns the names and metadata of the live entries, by namespace or
// all, sorted by namespace then key, and never a value.
import Foundation
import LocketStore
import Testing

@Suite("Listing")
struct ListingTests {
    static let entries: [(ns: String, key: String)] = [
        ("mail", "zoe"), ("chat", "bob"), ("mail", "alice"), ("chat", "Alice"), ("mail", "bob"), ("zed", "a"), ("chat", "a b"),
    ]

    @Test("list of one namespace has only its entries, sorted by key")
    func byNamespace() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            try Self.fill(vault)
            let mail = try vault.list(ns: "mail")
            #expect(mail.items.map(\.key) == ["alice", "bob", "zoe"])
            #expect(mail.items.allSatisfy { $0.ns == "mail" })
            #expect(mail.unreadable == 0)
            #expect(try vault.list(ns: "chat").items.map(\.key) == ["Alice", "a b", "bob"])
            #expect(try vault.list(ns: "absent").items.isEmpty)
        }
    }

    @Test("list of all namespaces is sorted by namespace then key")
    func all() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            try Self.fill(vault)
            let listing = try vault.list()
            let names = listing.items.map { "\($0.ns)/\($0.key)" }
            #expect(names == ["chat/Alice", "chat/a b", "chat/bob", "mail/alice", "mail/bob", "mail/zoe", "zed/a"])
            #expect(listing.unreadable == 0)
        }
    }

    @Test("list carries version and times but never a value")
    func noValues() throws {
        let harness = VaultHarness()
        let t0 = harness.clock.now
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "user", value: bytes(#"{"secret":"s3cr3t"}"#), ttl: 60)
            harness.clock.advance(by: 1)
            _ = try vault.put(ns: "app", key: "user", value: bytes(#"{"secret":"s3cr3t-2"}"#), ttl: 60)
            let info = try #require(vault.list().items.first)
            #expect(info.fields == Info(ns: "app", key: "user", version: 2, createdAt: t0,
                                      updatedAt: t0.addingTimeInterval(1), expiresAt: t0.addingTimeInterval(61)))
            // EntryInfo has no member that could carry the value.
            let labels = Mirror(reflecting: info).children.compactMap(\.label)
            #expect(labels.sorted() == ["createdAt", "expiresAt", "key", "ns", "updatedAt", "version"])
            #expect(!String(describing: info).contains("s3cr3t"))
        }
    }

    @Test("count is the number of live entries and follows puts and deletes")
    func count() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            #expect(try vault.count() == 0)
            try Self.fill(vault)
            #expect(try vault.count() == Self.entries.count)
            _ = try vault.put(ns: "mail", key: "zoe", value: bytes("2")) // an update adds nothing
            #expect(try vault.count() == Self.entries.count)
            _ = try vault.delete(ns: "mail", key: "zoe")
            #expect(try vault.count() == Self.entries.count - 1)
            #expect(try vault.list().items.count == Self.entries.count - 1)
        }
    }

    @Test("a deleted entry disappears from the listing")
    func deletedNotListed() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            try Self.fill(vault)
            _ = try vault.delete(ns: "mail", key: "bob")
            #expect(try vault.list(ns: "mail").items.map(\.key) == ["alice", "zoe"])
        }
    }

    static func fill(_ vault: Vault) throws {
        for (index, entry) in entries.enumerated() {
            _ = try vault.put(ns: entry.ns, key: entry.key, value: bytes("{\"i\":\(index)}"))
        }
    }
}
