// Fault: damaged bytes in the vault's SQLite file, written while the daemon is
// stopped. Protocol: damaged data answers `internal` with a message that says
// so and carries no secret; `list` counts damaged records in `unreadable`. The
// daemon never repairs by deleting: the damaged bytes stay for recovery.
import Foundation
import LocketTestSupport
import Testing

@Suite("Fault: corrupted database")
struct CorruptionTests {
    /// A daemon with `count` entries in three namespaces; entry `target` put three times (version 3).
    private func filledDaemon(count: Int, marker: String, target: Int? = nil) throws -> (Daemon, [Int: String]) {
        let daemon = Daemon()
        try daemon.start()
        let client = try daemon.connect()
        var values: [Int: String] = [:]
        for index in 0..<count {
            let value: [String: Any] = ["token": "\(marker)-\(index)", "pad": String(repeating: "x", count: 60)]
            for _ in 0..<(index == target ? 3 : 1) {
                try #require(try client.put("ns\(index % 3)", "k\(index)", value).ok)
            }
            values[index] = canonicalJSON(value)
        }
        return (daemon, values)
    }

    private func databasePath(_ daemon: Daemon) -> String { daemon.dataDirectory + "/vault.sqlite" }

    @Test("a damaged page: its entries answer internal (damaged), every other entry is served (get, and list with unreadable), nothing is repaired over it")
    func damagedPage() throws {
        let marker = uniqueMarker("page")
        let (daemon, values) = try filledDaemon(count: 200, marker: marker)
        defer { daemon.kill9() }
        #expect(try daemon.stop() == 0)

        // A leaf page of the entries table, from SQLite's own page map.
        let path = databasePath(daemon)
        let pageSize = try #require(RawDatabase.rows(path, "PRAGMA page_size").first?.first as? Int64)
        let leaves = try RawDatabase.rows(path, "SELECT pageno, ncell FROM dbstat WHERE name = 'entries' AND pagetype = 'leaf' ORDER BY path")
        try #require(leaves.count >= 3, "the entries table has \(leaves.count) leaf pages")
        let page = try #require(leaves[leaves.count / 2][0] as? Int64)
        let cells = try #require(leaves[leaves.count / 2][1] as? Int64)
        let offset = Int((page - 1) * pageSize)
        var file = try Data(contentsOf: URL(fileURLWithPath: path))
        file.replaceSubrange(offset..<offset + 16, with: [UInt8](repeating: 0xA5, count: 16))
        try file.write(to: URL(fileURLWithPath: path))
        let damaged = file.subdata(in: offset..<offset + Int(pageSize))

        try daemon.start()
        let client = try daemon.connect()
        var failed: [Int] = []
        for index in 0..<200 {
            let reply = try client.get("ns\(index % 3)", "k\(index)")
            if reply.ok {
                #expect(reply.valueJSON == values[index], "k\(index) came back different")
            } else {
                failed.append(index)
                #expect(reply.code == "internal", "k\(index): \(reply)")
                #expect(reply.message.contains("damaged"), "\(reply)")
                #expect(!reply.line.contains(marker))
            }
        }
        #expect(!failed.isEmpty, "no entry was on the damaged page")
        #expect(failed.count <= Int(cells) + 2, "\(failed.count) entries lost to one page of \(cells) cells")

        // list reads around the damaged page: every intact name is listed, each record is either
        // listed or counted in unreadable. (A key SQLite keeps in the parent page next to the damaged
        // leaf can be listed although get, which seeks through that leaf, cannot read it.)
        let intact = { (ns: Int?) in Set((0..<200).filter { !failed.contains($0) && (ns == nil || $0 % 3 == ns) }.map { "k\($0)" }) }
        let all = { (ns: Int?) in (0..<200).filter { ns == nil || $0 % 3 == ns }.count }
        for ns in [nil, 0, 1, 2] as [Int?] {
            let listing = try ns.map { try client.list("ns\($0)") } ?? client.list()
            let listed = Set(listing.listedKeys())
            #expect(listing.ok, "\(listing)")
            #expect(listed.isSuperset(of: intact(ns)), "ns \(String(describing: ns)): intact entries missing from list")
            #expect(listed.count + (listing.int("unreadable") ?? 0) == all(ns), "ns \(String(describing: ns)): \(listing.line.prefix(300))")
        }
        #expect((try client.list().int("unreadable") ?? 0) >= 1)
        // status counts with one scan of the table: it reports the damage.
        let status = try client.status()
        #expect(status.code == "internal" && status.message.contains("damaged"), "\(status)")
        // Writes to entries elsewhere still work; writes that land on the damaged page are refused.
        var rewritten = 0
        for index in 0..<200 where !failed.contains(index) && index % 10 == 0 {
            let reply = try client.put("ns\(index % 3)", "k\(index)", ["v": 2])
            #expect(reply.ok || reply.code == "internal", "\(reply)")
            if reply.ok { rewritten += 1 }
        }
        #expect(rewritten > 0)
        for index in failed {
            let reply = try client.put("ns\(index % 3)", "k\(index)", ["v": 2])
            #expect(reply.code == "internal", "k\(index) was written over a damaged page: \(reply)")
        }
        #expect(!daemon.log.contains(marker))
        #expect(try daemon.stop() == 0)

        // The damaged page is still there, byte for byte, for whoever recovers the vault.
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(after.subdata(in: offset..<offset + Int(pageSize)) == damaged)
    }

    @Test("a damaged file header: the daemon refuses to start, says the database is damaged, and leaves the file as it was")
    func damagedHeader() throws {
        let (daemon, _) = try filledDaemon(count: 20, marker: uniqueMarker("header"))
        defer { daemon.kill9() }
        #expect(try daemon.stop() == 0)
        let path = databasePath(daemon)
        var file = try Data(contentsOf: URL(fileURLWithPath: path))
        file.replaceSubrange(0..<16, with: Array("NOT A VAULT!!!!\0".utf8))
        try file.write(to: URL(fileURLWithPath: path))

        let logStart = daemon.log.utf8.count
        #expect(try refusedStart(daemon) == 1)
        let said = String(daemon.log.dropFirst(logStart))
        #expect(said.contains(path), "\(said)")
        #expect(said.contains("damaged"), "\(said)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == file)
    }

    /// The target row's columns, read directly.
    private func targetRow(_ path: String) throws -> (sealed: [UInt8], wrapped: [UInt8]) {
        let rows = try RawDatabase.rows(path, "SELECT sealed, wrapped_key FROM entries WHERE version = 3")
        try #require(rows.count == 1)
        return (try #require(rows[0][0] as? [UInt8]), try #require(rows[0][1] as? [UInt8]))
    }

    /// Flips one byte in the middle of `blob` where it sits in the database file.
    private func flipInFile(_ path: String, blob: [UInt8]) throws -> [UInt8] {
        var file = try Data(contentsOf: URL(fileURLWithPath: path))
        let places = file.occurrences(of: blob)
        try #require(places.count == 1, "the blob occurs \(places.count) times in the file")
        let at = places[0] + blob.count / 2
        file[at] ^= 0x01
        try file.write(to: URL(fileURLWithPath: path))
        var flipped = blob
        flipped[blob.count / 2] ^= 0x01
        return flipped
    }

    @Test("a flipped byte in one sealed record: that entry answers internal, list skips it as unreadable, everything else is served, rotation and restarts keep its bytes")
    func flippedSealedRecord() throws {
        let marker = uniqueMarker("record")
        let (daemon, values) = try filledDaemon(count: 30, marker: marker, target: 7)
        defer { daemon.kill9() }
        #expect(try daemon.stop() == 0)
        let path = databasePath(daemon)
        let flipped = try flipInFile(path, blob: try targetRow(path).sealed)

        try daemon.start()
        var client = try daemon.connect()
        func checkServing(_ client: LineClient) throws {
            let bad = try client.get("ns1", "k7")
            #expect(bad.code == "internal", "\(bad)")
            #expect(bad.message.contains("damaged") && bad.message.contains("did not authenticate"), "\(bad)")
            #expect(!bad.line.contains(marker))
            for index in 0..<30 where index != 7 {
                #expect(try client.get("ns\(index % 3)", "k\(index)").valueJSON == values[index], "k\(index)")
            }
            let listing = try client.list()
            #expect(listing.ok, "\(listing)")
            #expect(listing.int("unreadable") == 1, "\(listing)")
            #expect(Set(listing.listedKeys()) == Set((0..<30).filter { $0 != 7 }.map { "k\($0)" }))
            #expect(try client.list("ns0").int("unreadable") == nil)
            #expect(try client.status().int("entries") == 30)
        }
        try checkServing(client)
        // Rotation re-wraps the data key (intact) and leaves the sealed bytes alone.
        let rotated = try client.ask(["op": "rotate"])
        #expect(rotated.int("rewrapped") == 30, "\(rotated)")
        try checkServing(client)
        #expect(try daemon.stop() == 0)
        #expect(try targetRow(path).sealed == flipped, "the damaged record was changed")

        try daemon.start()
        client = try daemon.connect()
        try checkServing(client)
        #expect(try daemon.stop() == 0)
        #expect(try targetRow(path).sealed == flipped, "the damaged record was changed")

        // Only an explicit write by its owner replaces it (how an app recovers: log in, put).
        try daemon.start()
        client = try daemon.connect()
        let replaced = try client.put("ns1", "k7", ["token": "fresh"])
        #expect(replaced.ok, "\(replaced)")
        #expect(try client.get("ns1", "k7").valueJSON == canonicalJSON(["token": "fresh"]))
        #expect(try client.list().int("unreadable") == nil)
        #expect(!daemon.log.contains(marker))
        #expect(try daemon.stop() == 0)
    }

    @Test("a flipped byte in one wrapped data key: that entry answers internal, rotation refuses and changes nothing")
    func flippedWrappedKey() throws {
        let marker = uniqueMarker("wrapped")
        let (daemon, values) = try filledDaemon(count: 30, marker: marker, target: 4)
        defer { daemon.kill9() }
        #expect(try daemon.stop() == 0)
        let path = databasePath(daemon)
        _ = try flipInFile(path, blob: try targetRow(path).wrapped)
        let entriesBefore = try RawDatabase.rows(path, "SELECT lookup, wrapped_key, sealed FROM entries ORDER BY lookup").map { $0.map { $0 as? [UInt8] } }
        // The audit head (meta row audit_head) follows the audit log, which records these requests: left out.
        let metaBefore = try RawDatabase.rows(path, "SELECT name, value FROM meta WHERE name != 'audit_head' ORDER BY name").map { $0.map { "\($0 ?? "nil")" } }

        try daemon.start()
        let client = try daemon.connect()
        let bad = try client.get("ns1", "k4")
        #expect(bad.code == "internal" && bad.message.contains("damaged"), "\(bad)")
        let rotate = try client.ask(["op": "rotate"])
        #expect(rotate.code == "internal", "\(rotate)")
        #expect(rotate.message.contains("nothing was changed"), "\(rotate)")
        for index in 0..<30 where index != 4 {
            #expect(try client.get("ns\(index % 3)", "k\(index)").valueJSON == values[index], "k\(index)")
        }
        #expect(try client.list().int("unreadable") == 1)
        #expect(try daemon.stop() == 0)

        let entriesAfter = try RawDatabase.rows(path, "SELECT lookup, wrapped_key, sealed FROM entries ORDER BY lookup").map { $0.map { $0 as? [UInt8] } }
        let metaAfter = try RawDatabase.rows(path, "SELECT name, value FROM meta WHERE name != 'audit_head' ORDER BY name").map { $0.map { "\($0 ?? "nil")" } }
        #expect(entriesAfter == entriesBefore)
        #expect(metaAfter == metaBefore)
        // And the vault still opens with its key.
        try daemon.start()
        #expect(try daemon.connect().get("ns0", "k0").valueJSON == values[0])
        #expect(try daemon.stop() == 0)
    }
}
