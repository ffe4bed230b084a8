// Issue 13 item 5: nothing deleted stays on disk. After a delete, an expiry
// sweep or a rotation, the sealed bytes of the removed record and the
// pre-rotation wrapped keys are absent from every file of the data folder
// (vault.sqlite, -wal, -shm, anything else) while the vault is still open,
// freed pages included; a reader holding a snapshot only delays it.
import CSQLite
import Foundation
@testable import LocketStore
import LocketTestSupport
import Testing

@Suite("Nothing deleted stays on disk")
struct DeletedBytesTests {
    /// Pieces of `blob` to search for: 32-byte runs every 512 bytes (a large record
    /// is split over overflow pages, each starting with a 4-byte page number).
    static func needles(_ blob: [UInt8]) -> [[UInt8]] {
        stride(from: 0, to: max(blob.count - 32, 1), by: 512).map { Array(blob[$0..<min($0 + 32, blob.count)]) }
    }

    /// Where any needle of any blob still is, by file name.
    static func remains(_ harness: VaultHarness, _ blobs: [[UInt8]]) -> [String] {
        var found: Set<String> = []
        for (name, contents) in Files.snapshot(harness.dataDirectory) {
            for blob in blobs where needles(blob).contains(where: { Files.contains(contents, $0) }) { found.insert(name) }
        }
        return found.sorted()
    }

    /// Waits (generously: the machine is loaded) until none of `blobs` is in any file.
    static func expectGone(_ harness: VaultHarness, _ blobs: [[UInt8]], _ what: String) {
        var left: [String] = []
        let deadline = Date().addingTimeInterval(60)
        repeat {
            left = remains(harness, blobs)
            if left.isEmpty { return }
            Thread.sleep(forTimeInterval: 0.02)
        } while Date() < deadline
        Issue.record("\(what) still in \(left) after 60 s")
    }

    static func rows(_ harness: VaultHarness) throws -> [[UInt8]: (wrapped: [UInt8], sealed: [UInt8])] {
        var result: [[UInt8]: (wrapped: [UInt8], sealed: [UInt8])] = [:]
        for row in try RawSQLite.blobs(harness.databasePath, "SELECT lookup, wrapped_key, sealed FROM entries") {
            result[row[0]] = (row[1], row[2])
        }
        return result
    }

    /// A JSON string of `size` bytes that does not compress into repeats (sealed anyway).
    static func value(_ size: Int) -> [UInt8] {
        bytes("\"" + (0..<size / 8).map { String(format: "%08x", $0 &* 2_654_435_761) }.joined() + "\"")
    }

    @Test("delete: the record's sealed bytes and wrapped key (a large value on overflow pages too) leave every file; then the rebuild drops the freed pages from the file")
    func afterDelete() throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        defer { vault.close() }
        for index in 0..<20 { _ = try vault.put(ns: "keep", key: "k\(index)", value: Self.value(200)) }
        var before = try Self.rows(harness)
        _ = try vault.put(ns: "app", key: "small", value: Self.value(300))
        let small = try #require(try Self.rows(harness).first { before[$0.key] == nil })
        before = try Self.rows(harness)
        _ = try vault.put(ns: "app", key: "large", value: Self.value(60_000))
        let large = try #require(try Self.rows(harness).first { before[$0.key] == nil })
        let secrets = [small.value.sealed, small.value.wrapped, large.value.sealed, large.value.wrapped]
        // The detector finds them while they are live.
        #expect(Self.remains(harness, secrets).contains("vault.sqlite-wal"))

        #expect(try vault.delete(ns: "app", key: "small"))
        #expect(try vault.delete(ns: "app", key: "large"))
        Self.expectGone(harness, secrets, "the deleted records")
        // Then the rebuild: the freed pages are gone from the file, the records stay readable.
        let deadline = Date().addingTimeInterval(60)
        while vault.writer.rebuildsDone == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(vault.writer.rebuildsDone >= 1)
        #expect(try RawSQLite.scalar(harness.databasePath, "PRAGMA freelist_count") == 0)
        #expect(Self.remains(harness, secrets) == [])
        #expect(try vault.get(ns: "keep", key: "k7").value == Self.value(200))
        vault.close()
        #expect(Self.remains(harness, secrets) == [])
    }

    @Test("expiry sweep: the swept records' bytes leave every file")
    func afterSweep() throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        defer { vault.close() }
        _ = try vault.put(ns: "keep", key: "k", value: Self.value(100))
        let kept = try Self.rows(harness)
        for index in 0..<5 { _ = try vault.put(ns: "app", key: "t\(index)", value: Self.value(400), ttl: 60) }
        let swept = try Self.rows(harness).filter { kept[$0.key] == nil }.flatMap { [$0.value.sealed, $0.value.wrapped] }
        #expect(swept.count == 10)
        harness.clock.advance(by: 61)
        #expect(try vault.sweepExpired().removed == 5)
        Self.expectGone(harness, swept, "the swept records")
        #expect(try vault.get(ns: "keep", key: "k").value == Self.value(100))
    }

    /// Four vaults of 60 entries: SQLite's b-tree rebalancing leaves an older copy of
    /// some cell in a page's unused space in most of them (a checkpoint alone left a
    /// pre-rotation wrapped key in vault.sqlite in 9 of 12 such vaults), which only the
    /// rebuild (`VACUUM`) removes (see `WALHygiene`).
    @Test("rotation: every pre-rotation wrapped data key and the old wrapped index key leave every file, copies in pages' unused space included")
    func afterRotation() throws {
        for _ in 0..<4 {
            let harness = VaultHarness()
            let vault = try harness.open()
            defer { vault.close() }
            for index in 0..<60 { _ = try vault.put(ns: "app", key: "k\(index)", value: Self.value(100)) }
            let oldWrapped = try Self.rows(harness).values.map(\.wrapped)
            let oldIndex = try #require(try RawSQLite.blobs(harness.databasePath, "SELECT value FROM meta WHERE name = 'index_key'").first?.first)
            #expect(Self.remains(harness, [oldIndex]) != [])
            #expect(try vault.rotateMasterKey() == 60)
            Self.expectGone(harness, oldWrapped + [oldIndex], "pre-rotation wrapped keys")
            #expect(try vault.get(ns: "app", key: "k59").value == Self.value(100))
        }
    }

    @Test("the rebuild runs even after a write left a statement mid-step on the writer (VACUUM refuses while one is in progress)")
    func rebuildAfterStatementLeftMidStep() throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        defer { vault.close() }
        for index in 0..<3 { _ = try vault.put(ns: "app", key: "k\(index)", value: Self.value(100)) }
        // A write whose read stopped at its first row, as any SELECT on the writer may.
        let stepped: Bool = try vault.writer.perform { connection throws(StoreError) in
            do {
                return try connection.statement("SELECT lookup FROM entries").step()
            } catch {
                throw StoreError(sqlite: error)
            }
        }
        #expect(stepped)
        #expect(try vault.delete(ns: "app", key: "k0"))
        let deadline = Date().addingTimeInterval(60)
        while vault.writer.rebuildsDone == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(vault.writer.rebuildsDone == 1)
        #expect(try vault.get(ns: "app", key: "k1").value == Self.value(100))
    }

    @Test("a reader holding a snapshot blocks the WAL truncation; it happens once the reader is done, with no further write")
    func readerDelaysScrub() throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        defer { vault.close() }
        _ = try vault.put(ns: "app", key: "keep", value: Self.value(100))
        let kept = try Self.rows(harness)
        _ = try vault.put(ns: "app", key: "gone", value: Self.value(300))
        let gone = try #require(try Self.rows(harness).first { kept[$0.key] == nil }).value
        let secrets = [gone.sealed, gone.wrapped]

        // A reader with an open read transaction (a snapshot in the WAL).
        var db: OpaquePointer?
        try #require(sqlite3_open_v2(harness.databasePath, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK)
        defer { sqlite3_close(db) }
        try #require(sqlite3_exec(db, "BEGIN; SELECT count(*) FROM entries;", nil, nil, nil) == SQLITE_OK)

        let blockedBefore = vault.writer.scrubsBlocked
        let doneBefore = vault.writer.scrubsDone
        #expect(try vault.delete(ns: "app", key: "gone"))
        let deadline = Date().addingTimeInterval(60)
        while vault.writer.scrubsBlocked == blockedBefore && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(vault.writer.scrubsBlocked > blockedBefore)
        #expect(vault.writer.scrubsDone == doneBefore)
        #expect(Self.remains(harness, secrets) != []) // still in the WAL while the snapshot holds it

        try #require(sqlite3_exec(db, "COMMIT;", nil, nil, nil) == SQLITE_OK)
        Self.expectGone(harness, secrets, "the deleted record")
        // The WAL is cut inside the checkpoint call, a moment before the writer counts it.
        let counted = Date().addingTimeInterval(60)
        while vault.writer.scrubsDone == doneBefore && Date() < counted { Thread.sleep(forTimeInterval: 0.01) }
        #expect(vault.writer.scrubsDone > doneBefore)
    }
}
