// Vault.open: one process per vault (flock), a private data folder (0700),
// and only a Locket database; anything else is a setup error and nothing is opened.
import Foundation
import LocketStore
import LocketTestSupport
import Testing

@Suite("Opening a vault")
struct OpeningTests {
    @Test("a new vault: folder 0700, database 0600, key file 0600, unlocked with the file key store")
    func newVault() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            #expect(vault.state == .unlocked)
            #expect(vault.keyStoreKind == .file)
            #expect(vault.keyStoreNotice != nil)
            #expect(try Self.mode(harness.dataDirectory) == 0o700)
            #expect(try Self.mode(harness.databasePath) == 0o600)
            #expect(try Self.mode(harness.keyPath(vault.vaultID)) == 0o600)
            #expect(try vault.count() == 0)
        }
    }

    @Test("the vault keeps its id across opens")
    func stableID() throws {
        let harness = VaultHarness()
        let first = try harness.withVault { $0.vaultID }
        let second = try harness.withVault { $0.vaultID }
        #expect(first == second)
    }

    @Test("a second open in the same process is a setup error while the first is open")
    func secondOpenSameProcess() throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        _ = try vault.put(ns: "app", key: "k", value: bytes("1"))
        let error = #expect(throws: StoreError.self) { try harness.open() }
        #expect(error?.isSetup == true)
        // The refused open changed nothing for the open vault.
        #expect(try vault.get(ns: "app", key: "k").value == bytes("1"))
        vault.close()
    }

    @Test("after close() the folder can be opened again in the same process")
    func reopenAfterClose() throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        _ = try vault.put(ns: "app", key: "k", value: bytes("1"))
        vault.close()
        // `vault` is still referenced below: close() itself must release the folder.
        let again = try harness.open()
        #expect(try again.get(ns: "app", key: "k").value == bytes("1"))
        again.close()
        withExtendedLifetime(vault) {}
    }

    @Test("an open by another process is a setup error; a killed holder leaves no stale lock")
    func secondOpenOtherProcess() throws {
        let harness = VaultHarness()
        let writer = try BurstWriter(dataDirectory: harness.dataDirectory, writers: 1, putsPerWriter: 1_000_000)
        defer { writer.kill() }
        #expect(try writer.waitForReady())
        let error = #expect(throws: StoreError.self) { try harness.open() }
        #expect(error?.isSetup == true)
        writer.kill()
        try harness.withVault { (vault) throws in
            #expect(vault.state == .unlocked)
            #expect(try vault.count() > 0)
        }
    }

    @Test("a data folder readable by others (0755) is a setup error")
    func looseFolder() throws {
        let harness = VaultHarness()
        #expect(mkdir(harness.dataDirectory, 0o755) == 0)
        #expect(chmod(harness.dataDirectory, 0o755) == 0)
        let error = #expect(throws: StoreError.self) { try harness.open() }
        #expect(error?.isSetup == true)
        #expect(!Files.exists(harness.databasePath))
        #expect(try Self.mode(harness.dataDirectory) == 0o755) // not silently chmod-ed
    }

    @Test("a database that is not a Locket vault (other tables) is a setup error and is left alone")
    func foreignDatabase() throws {
        let harness = VaultHarness()
        #expect(mkdir(harness.dataDirectory, 0o700) == 0)
        try RawSQLite.create(harness.databasePath, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('x');")
        #expect(chmod(harness.databasePath, 0o600) == 0)
        let before = try #require(Files.read(harness.databasePath))
        let error = #expect(throws: StoreError.self) { try harness.open() }
        #expect(error?.isSetup == true)
        #expect(Files.read(harness.databasePath) == before)
        #expect(try RawSQLite.scalar(harness.databasePath, "SELECT count(*) FROM notes") == 1)
    }

    @Test("a data file that is not SQLite at all is a setup error")
    func garbageDatabase() throws {
        let harness = VaultHarness()
        #expect(mkdir(harness.dataDirectory, 0o700) == 0)
        try Files.writePrivate(harness.databasePath, Blob(Array(repeating: 0x5a, count: 4096)))
        let error = #expect(throws: StoreError.self) { try harness.open() }
        #expect(error?.isSetup == true)
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int) & 0o777
    }
}
