// Issue 13 item 4: a record is bound to everything its row claims (namespace,
// lookup id, version, times, expiry). Someone who can write vault.sqlite edits
// rows with SQLite, as with the sqlite3 tool; the vault never serves or lists a
// row that does not match what it is served as: it is `corrupt`.
import Foundation
import LocketStore
import Testing

@Suite("Records bound to what they claim")
struct RecordBindingTests {
    /// The row a put added: the lookup id not in `before`.
    static func newLookup(_ harness: VaultHarness, since before: Set<[UInt8]>) throws -> [UInt8] {
        let now = Set(try RawSQLite.blobs(harness.databasePath, "SELECT lookup FROM entries").map { $0[0] })
        let added = now.subtracting(before)
        try #require(added.count == 1)
        return added.first!
    }

    static func lookups(_ harness: VaultHarness) throws -> Set<[UInt8]> {
        Set(try RawSQLite.blobs(harness.databasePath, "SELECT lookup FROM entries").map { $0[0] })
    }

    /// Puts and returns the row's lookup id.
    static func put(_ vault: Vault, _ harness: VaultHarness, _ ns: String, _ key: String, _ value: String, ttl: Int? = nil) throws -> [UInt8] {
        let before = try lookups(harness)
        _ = try vault.put(ns: ns, key: key, value: bytes(value), ttl: ttl)
        return try newLookup(harness, since: before)
    }

    static func isCorrupt(_ body: () throws -> Entry) -> Bool {
        do {
            _ = try body()
            return false
        } catch let error as StoreError {
            if case .corrupt = error { return true }
            return false
        } catch {
            return false
        }
    }

    @Test("a row of namespace A pointed at B's ns_id: list B does not show A's names, get A is corrupt, a put sets it right")
    func movedToAnotherNamespace() throws {
        let harness = VaultHarness()
        var lookupA: [UInt8] = []
        var lookupB: [UInt8] = []
        try harness.withVault { (vault) throws in
            lookupA = try Self.put(vault, harness, "alpha", "alpha-secret-name", "\"a\"")
            lookupB = try Self.put(vault, harness, "beta", "b1", "\"b\"")
        }
        let nsB = try #require(try RawSQLite.blobs(harness.databasePath,
            "SELECT ns_id FROM entries WHERE lookup = \(RawSQLite.literal(lookupB))").first?.first)
        try RawSQLite.execute(harness.databasePath,
            "UPDATE entries SET ns_id = \(RawSQLite.literal(nsB)) WHERE lookup = \(RawSQLite.literal(lookupA))")

        try harness.withVault { (vault) throws in
            let listing = try vault.list(ns: "beta")
            #expect(listing.items.map(\.key) == ["b1"])
            #expect(listing.items.allSatisfy { $0.ns == "beta" })
            #expect(listing.unreadable == 1)
            #expect(Self.isCorrupt { try vault.get(ns: "alpha", key: "alpha-secret-name") })
            #expect(try vault.get(ns: "beta", key: "b1").value == bytes("\"b\""))
            // A put of the entry writes a row that claims the right namespace again.
            _ = try vault.put(ns: "alpha", key: "alpha-secret-name", value: bytes("\"a2\""))
            #expect(try vault.list(ns: "beta").fields == [["beta", "b1"]])
            #expect(try vault.list(ns: "alpha").fields == [["alpha", "alpha-secret-name"]])
            #expect(try vault.get(ns: "alpha", key: "alpha-secret-name").value == bytes("\"a2\""))
        }
    }

    @Test("an edited version, created or updated time: get is corrupt, list counts it unreadable", arguments: [
        "version = version + 5", "version = 1", "created_at = created_at - 86400000", "updated_at = updated_at + 1",
    ])
    func editedMetadata(edit: String) throws {
        let harness = VaultHarness()
        var target: [UInt8] = []
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "session", value: bytes("1"))
            target = try Self.lookups(harness).first!
            harness.clock.advance(by: 10)
            _ = try vault.put(ns: "app", key: "session", value: bytes("2")) // version 2
            _ = try vault.put(ns: "app", key: "other", value: bytes("3"))
        }
        try RawSQLite.execute(harness.databasePath, "UPDATE entries SET \(edit) WHERE lookup = \(RawSQLite.literal(target))")
        try harness.withVault { (vault) throws in
            #expect(Self.isCorrupt { try vault.get(ns: "app", key: "session") })
            let listing = try vault.list(ns: "app")
            #expect(listing.items.map(\.key) == ["other"])
            #expect(listing.unreadable == 1)
        }
    }

    @Test("an edited expiry: extended or removed is corrupt; shortened into the past is gone (not returned)", arguments: [
        ("expires_at = expires_at + 1000000000", true), ("expires_at = NULL", true), ("expires_at = 1", false),
    ])
    func editedExpiry(edit: String, corrupt: Bool) throws {
        let harness = VaultHarness()
        var target: [UInt8] = []
        try harness.withVault { (vault) throws in
            target = try Self.put(vault, harness, "app", "session", "\"short-lived\"", ttl: 60)
        }
        try RawSQLite.execute(harness.databasePath, "UPDATE entries SET \(edit) WHERE lookup = \(RawSQLite.literal(target))")
        // Opening sweeps expired rows; look before that happens for the extended and removed expiry.
        try harness.withVault { (vault) throws in
            if corrupt {
                #expect(Self.isCorrupt { try vault.get(ns: "app", key: "session") })
                #expect(try vault.list().items.isEmpty)
                harness.clock.advance(by: 120) // past the true expiry: still never served
                #expect(Self.isCorrupt { try vault.get(ns: "app", key: "session") })
            } else {
                #expect(throws: StoreError.notFound) { try vault.get(ns: "app", key: "session") }
            }
        }
    }

    @Test("an old copy of the record swapped back in after an update is refused")
    func oldCopySwappedBack() throws {
        let harness = VaultHarness()
        var target: [UInt8] = []
        var old: [[UInt8]] = []
        try harness.withVault { (vault) throws in
            target = try Self.put(vault, harness, "app", "session", "\"old token\"")
            old = try #require(try RawSQLite.blobs(harness.databasePath,
                "SELECT wrapped_key, sealed FROM entries WHERE lookup = \(RawSQLite.literal(target))").first)
            harness.clock.advance(by: 5)
            _ = try vault.put(ns: "app", key: "session", value: bytes("\"new token\""))
        }
        try RawSQLite.execute(harness.databasePath, """
            UPDATE entries SET wrapped_key = \(RawSQLite.literal(old[0])), sealed = \(RawSQLite.literal(old[1]))
            WHERE lookup = \(RawSQLite.literal(target))
            """)
        try harness.withVault { (vault) throws in
            #expect(Self.isCorrupt { try vault.get(ns: "app", key: "session") })
            #expect(try vault.list().unreadable == 1)
        }
    }

    @Test("rotation keeps the binding: entries read back, an edited row is still refused after it")
    func rotationKeepsBinding() throws {
        let harness = VaultHarness()
        var target: [UInt8] = []
        try harness.withVault { (vault) throws in
            target = try Self.put(vault, harness, "app", "one", "1")
            _ = try vault.put(ns: "app", key: "two", value: bytes("2"), ttl: 3600)
            _ = try vault.put(ns: "app", key: "two", value: bytes("22"), ttl: 3600)
            #expect(try vault.rotateMasterKey() == 2)
            #expect(try vault.get(ns: "app", key: "one").value == bytes("1"))
            let two = try vault.get(ns: "app", key: "two")
            #expect(two.value == bytes("22"))
            #expect(two.version == 2)
        }
        try RawSQLite.execute(harness.databasePath, "UPDATE entries SET version = 7 WHERE lookup = \(RawSQLite.literal(target))")
        try harness.withVault { (vault) throws in
            #expect(Self.isCorrupt { try vault.get(ns: "app", key: "one") })
            #expect(try vault.get(ns: "app", key: "two").value == bytes("22"))
        }
    }
}

extension RecordBindingTests {
    @Test("an edited row stops a rotation with nothing changed; once that entry is deleted, rotation works")
    func editedRowStopsRotation() throws {
        let harness = VaultHarness()
        var target: [UInt8] = []
        try harness.withVault { (vault) throws in
            target = try Self.put(vault, harness, "app", "edited", "1")
            _ = try vault.put(ns: "app", key: "fine", value: bytes("2"))
        }
        try RawSQLite.execute(harness.databasePath, "UPDATE entries SET version = 5 WHERE lookup = \(RawSQLite.literal(target))")
        let wrappedBefore = try RawSQLite.blobs(harness.databasePath, "SELECT lookup, wrapped_key FROM entries ORDER BY lookup")
        try harness.withVault { (vault) throws in
            #expect(throws: StoreError.corrupt("a data key did not unwrap during rotation; nothing was changed")) {
                try vault.rotateMasterKey()
            }
            #expect(try RawSQLite.blobs(harness.databasePath, "SELECT lookup, wrapped_key FROM entries ORDER BY lookup") == wrappedBefore)
            #expect(try vault.get(ns: "app", key: "fine").value == bytes("2"))
            #expect(try vault.delete(ns: "app", key: "edited"))
            #expect(try vault.rotateMasterKey() == 1)
            #expect(try vault.get(ns: "app", key: "fine").value == bytes("2"))
        }
    }
}

extension Listing {
    /// (ns, key) of each item.
    var fields: [[String]] { items.map { [$0.ns, $0.key] } }
}
