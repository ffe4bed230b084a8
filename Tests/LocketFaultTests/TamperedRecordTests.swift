// Issue 13 items 4 and 5 against the real daemon: someone who can write
// vault.sqlite edits rows with the `sqlite3` tool while the daemon is stopped,
// and someone who can read the data folder looks for a deleted record while
// the daemon is still running.
import Foundation
import LocketTestSupport
import Testing

@Suite("Fault: tampered records and deleted data")
struct TamperedRecordTests {
    private func databasePath(_ daemon: Daemon) -> String { daemon.dataDirectory + "/vault.sqlite" }

    private func lookups(_ daemon: Daemon) throws -> Set<[UInt8]> {
        Set(try RawDatabase.rows(databasePath(daemon), "SELECT lookup FROM entries").compactMap { $0[0] as? [UInt8] })
    }

    private func hex(_ bytes: [UInt8]) -> String { "X'" + bytes.map { String(format: "%02x", $0) }.joined() + "'" }

    /// Runs `sql` on the vault with the sqlite3 command-line tool.
    private func sqlite3(_ daemon: Daemon, _ sql: String) throws {
        let result = try Subprocess.run("/usr/bin/sqlite3", [databasePath(daemon), sql])
        try #require(result.status == 0, "sqlite3: \(result.stderr)")
    }

    @Test("sqlite3 points a row of ns A at ns B: `list B` shows none of A's names, `get` of A answers internal (damaged), a version edit too")
    func rowMovedToAnotherNamespace() throws {
        let marker = uniqueMarker("tampered-name")
        let daemon = Daemon()
        try daemon.start()
        defer { daemon.kill9() }
        let client = try daemon.connect()
        let before = try lookups(daemon)
        try #require(try client.put("alpha", marker, ["token": "a"]).ok)
        let rowA = try #require(try lookups(daemon).subtracting(before).first)
        let withA = try lookups(daemon)
        try #require(try client.put("beta", "b1", ["token": "b"]).ok)
        let rowB = try #require(try lookups(daemon).subtracting(withA).first)
        try #require(try client.put("beta", "b2", ["token": "c"]).ok)
        let rowB2 = try #require(try lookups(daemon).subtracting(withA.union([rowB])).first)
        client.close()
        #expect(try daemon.stop() == 0)

        try sqlite3(daemon, "UPDATE entries SET ns_id = (SELECT ns_id FROM entries WHERE lookup = \(hex(rowB))) WHERE lookup = \(hex(rowA));")
        try sqlite3(daemon, "UPDATE entries SET version = 9 WHERE lookup = \(hex(rowB2));")

        try daemon.start()
        let again = try daemon.connect()
        let listing = try again.list("beta")
        #expect(listing.ok)
        #expect(listing.listedKeys() == ["b1"])
        #expect(!listing.line.contains(marker))
        #expect(listing.int("unreadable") == 2)
        let moved = try again.get("alpha", marker)
        #expect(moved.code == "internal" && moved.message.contains("damaged"), "\(moved)")
        let edited = try again.get("beta", "b2")
        #expect(edited.code == "internal" && edited.message.contains("damaged"), "\(edited)")
        #expect(try again.get("beta", "b1").valueJSON == canonicalJSON(["token": "b"]))
    }

    @Test("delete while the daemon runs: the record's sealed bytes leave every file of the data folder")
    func deletedRecordLeavesTheFolder() throws {
        let daemon = Daemon()
        try daemon.start()
        defer { daemon.kill9() }
        let client = try daemon.connect()
        try #require(try client.put("app", "keep", ["token": String(repeating: "k", count: 100)]).ok)
        let before = try lookups(daemon)
        try #require(try client.put("app", "gone", ["token": String(repeating: "g", count: 300)]).ok)
        let row = try #require(try lookups(daemon).subtracting(before).first)
        let sealed = try #require(try RawDatabase.rows(databasePath(daemon),
            "SELECT sealed FROM entries WHERE lookup = \(hex(row))").first?.first as? [UInt8])
        let needle = Array(sealed[0..<48])
        func holders() -> [String] {
            let names = (try? FileManager.default.subpathsOfDirectory(atPath: daemon.dataDirectory)) ?? []
            return names.filter { name in
                (FileManager.default.contents(atPath: daemon.dataDirectory + "/" + name)?.occurrences(of: needle).isEmpty == false)
            }.sorted()
        }
        #expect(holders().contains("vault.sqlite-wal"))
        #expect(try client.delete("app", "gone").bool("deleted") == true)
        var left = holders()
        let deadline = Date().addingTimeInterval(60)
        while !left.isEmpty && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            left = holders()
        }
        #expect(left == [], "the deleted record is still in \(left)")
        #expect(try client.get("app", "keep").ok)
    }
}
