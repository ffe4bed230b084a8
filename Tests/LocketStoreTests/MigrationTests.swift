// Issue 13 item 4: a vault written by the build before record format 2
// (Tests/Fixtures/vault-format1, made by locketd at 7e82046) opens, serves every
// entry, and is re-sealed in format 2 — at open, or at the first unlock when its
// key is not there at open.
import Foundation
import LocketStore
import Testing

@Suite("Migrating format 1 vaults")
struct MigrationTests {
    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vault-format1").path
    static let keyFile = "master-66fa2fbe5bd1f083260c49a42ccc0732.key"

    /// The fixture copied into the harness's data folder (0700, files 0600).
    static func install(_ harness: VaultHarness, withKey: Bool = true) throws {
        try FileManager.default.createDirectory(atPath: harness.dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        for name in ["vault.sqlite"] + (withKey ? [keyFile] : []) {
            try Files.writePrivate("\(harness.dataDirectory)/\(name)", try #require(Files.read("\(fixture)/\(name)")))
        }
    }

    static func format(_ harness: VaultHarness) throws -> Int64 {
        try RawSQLite.scalar(harness.databasePath, "PRAGMA user_version")
    }

    static func wrappedKeys(_ harness: VaultHarness) throws -> [[UInt8]: [UInt8]] {
        var result: [[UInt8]: [UInt8]] = [:]
        for row in try RawSQLite.blobs(harness.databasePath, "SELECT lookup, wrapped_key FROM entries") { result[row[0]] = row[1] }
        return result
    }

    /// Every entry of the fixture, as it was put.
    static func expectServed(_ vault: Vault) throws {
        // The fixture's times are from 2026; the harness clock is in 2027, before the 2121 expiry.
        #expect(try vault.list().fields == [["chat", "token"], ["mail", "alice"], ["mail", "bob"]])
        #expect(try vault.list().unreadable == 0)
        let alice = try vault.get(ns: "mail", key: "alice")
        #expect(alice.value == bytes(#"{"token": "fixture-alice"}"#))
        #expect(alice.version == 1)
        let bob = try vault.get(ns: "mail", key: "bob")
        #expect(bob.value == bytes(#"{"token": "fixture-bob", "n": 3}"#))
        #expect(bob.version == 3)
        let chat = try vault.get(ns: "chat", key: "token")
        #expect(chat.value == bytes("\"fixture-chat\""))
        #expect(chat.expiresAt == Date(timeIntervalSince1970: 4_796_586_112.314))
        #expect(throws: StoreError.notFound) { try vault.get(ns: "chat", key: "gone") }
    }

    @Test("a format 1 vault opens, serves every entry, and is re-sealed in format 2 (every wrapped key rewritten)")
    func migratesAtOpen() throws {
        let harness = VaultHarness()
        try Self.install(harness)
        #expect(try Self.format(harness) == 1)
        let before = try Self.wrappedKeys(harness)
        #expect(before.count == 3)
        try harness.withVault { (vault) throws in
            try Self.expectServed(vault)
            #expect(try Self.format(harness) == 2)
            // Writes after the migration are in format 2 and read back.
            _ = try vault.put(ns: "mail", key: "bob", value: bytes("4"))
            #expect(try vault.get(ns: "mail", key: "bob").version == 4)
        }
        let after = try Self.wrappedKeys(harness)
        #expect(Set(after.keys) == Set(before.keys))
        #expect(after.allSatisfy { before[$0.key] != $0.value })
        // Reopened: format 2 from the start, nothing left to migrate.
        try harness.withVault { (vault) throws in
            #expect(try vault.list().fields == [["chat", "token"], ["mail", "alice"], ["mail", "bob"]])
            #expect(try vault.get(ns: "mail", key: "bob").value == bytes("4"))
        }
    }

    @Test("once migrated, an edited row is refused (the binding holds for migrated records)")
    func migratedRecordsAreBound() throws {
        let harness = VaultHarness()
        try Self.install(harness)
        try harness.withVault { (vault) throws in try Self.expectServed(vault) }
        try RawSQLite.execute(harness.databasePath, "UPDATE entries SET version = version + 1")
        try harness.withVault { (vault) throws in
            #expect(try vault.list().items.isEmpty)
            #expect(try vault.list().unreadable == 3)
        }
    }

    @Test("a migrated vault set back to format 1 does not unlock (its index key is wrapped for format 2)")
    func downgradeRefused() throws {
        let harness = VaultHarness()
        try Self.install(harness)
        try harness.withVault { (vault) throws in try Self.expectServed(vault) }
        try RawSQLite.execute(harness.databasePath, "PRAGMA user_version = 1")
        try harness.withVault { (vault) throws in
            #expect(vault.state != .unlocked)
            #expect(throws: (any Error).self) { try vault.get(ns: "mail", key: "alice") }
        }
    }

    @Test("a format 1 vault opened locked (no key) is migrated at its first unlock, and serves every entry")
    func migratesAtUnlock() throws {
        let harness = VaultHarness()
        try Self.install(harness, withKey: false)
        let vault = try harness.open()
        defer { vault.close() }
        #expect(vault.state != .unlocked)
        #expect(try Self.format(harness) == 1)
        try Files.writePrivate("\(harness.dataDirectory)/\(Self.keyFile)", try #require(Files.read("\(Self.fixture)/\(Self.keyFile)")))
        try vault.unlock()
        #expect(try Self.format(harness) == 2)
        try Self.expectServed(vault)
    }

    @Test("deleted bytes an older build left in free space are gone after the migration (VACUUM)")
    func migrationClearsFreeSpace() throws {
        let harness = VaultHarness()
        try Self.install(harness)
        // As a build without secure_delete would leave a deleted record: its cell in a page's free space.
        let marker = bytes("deleted-by-an-older-build-\(UUID().uuidString)")
        try RawSQLite.execute(harness.databasePath, """
            PRAGMA secure_delete = OFF;
            INSERT INTO entries VALUES (randomblob(32), randomblob(32), 1, 0, 0, NULL, randomblob(72), \(RawSQLite.literal(marker)));
            DELETE FROM entries WHERE sealed = \(RawSQLite.literal(marker));
            """)
        #expect(Files.contains(try #require(Files.read(harness.databasePath)), marker))
        try harness.withVault { (vault) throws in try Self.expectServed(vault) }
        for (name, contents) in Files.snapshot(harness.dataDirectory) {
            #expect(!Files.contains(contents, marker), "the old deleted record is still in \(name)")
        }
    }

    @Test("a format 1 row moved to another namespace's id before the migration is not blessed by it: not listed there, corrupt")
    func movedRowNotBlessed() throws {
        let harness = VaultHarness()
        try Self.install(harness)
        // mail/alice is the one row with version 1 and no expiry; chat/token the one with an expiry.
        try RawSQLite.execute(harness.databasePath, """
            UPDATE entries SET ns_id = (SELECT ns_id FROM entries WHERE expires_at IS NOT NULL)
            WHERE version = 1 AND expires_at IS NULL
            """)
        try harness.withVault { (vault) throws in
            #expect(try Self.format(harness) == 2)
            let chat = try vault.list(ns: "chat")
            #expect(chat.fields == [["chat", "token"]])
            #expect(chat.unreadable == 1)
            #expect(throws: StoreError.corrupt("a record did not authenticate")) { try vault.get(ns: "mail", key: "alice") }
            #expect(try vault.get(ns: "mail", key: "bob").version == 3)
        }
    }
}
