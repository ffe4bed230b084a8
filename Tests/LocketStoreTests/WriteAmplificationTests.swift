// What one put costs the write-ahead log: replacing a live entry is an UPDATE in
// place, so the commit writes only the entry's own b-tree page (an INSERT OR
// REPLACE would delete and re-insert, rewriting the namespace index page too).
import Foundation
import LocketStore
import Testing

@Suite("write amplification")
struct WriteAmplificationTests {
    @Test("replacing a live entry appends one WAL frame; its created_at stays, its version goes up")
    func replaceWritesOneFrame() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            let wal = harness.databasePath + "-wal"
            let pageSize = Int(try RawSQLite.scalar(harness.databasePath, "PRAGMA page_size"))
            _ = try vault.put(ns: "app", key: "session", value: bytes("1"))
            let created = try vault.get(ns: "app", key: "session").createdAt
            harness.clock.advance(by: 5)
            let before = try FileManager.default.attributesOfItem(atPath: wal)[.size] as! Int
            let result = try vault.put(ns: "app", key: "session", value: bytes("2"))
            let after = try FileManager.default.attributesOfItem(atPath: wal)[.size] as! Int
            // One frame: a 24-byte frame header and one page.
            #expect(after - before == pageSize + 24)
            #expect(result.fields == Put(created: false, version: 2, expiresAt: nil))
            let entry = try vault.get(ns: "app", key: "session")
            #expect(entry.value == bytes("2"))
            #expect(entry.createdAt == created)
            #expect(entry.updatedAt == harness.clock.now)
            #expect(try RawSQLite.entryRows(harness.databasePath) == 1)
        }
    }
}
