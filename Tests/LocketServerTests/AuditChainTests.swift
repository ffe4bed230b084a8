// The audit log is tamper-evident against the real daemon and real files:
// removing the files, truncating, cutting or reordering records, dropping a
// whole segment, faking a rotation, unlinking the file while the daemon runs
// and dropping the tail across a restart are all reported as damage; genuine
// rotation is counted (with refused attempts), never silent and never damage.
import Foundation
import LocketTestSupport
import Testing

@Suite("Audit chain")
struct AuditChainTests {
    /// The whole `audit` answer.
    static func answer(_ daemon: Daemon) throws -> [String: Any] {
        let client = try daemon.connect()
        let answer = try client.ask(#"{"op":"audit","limit":100000}"#)
        #expect(answer.ok, "\(answer.line)")
        return answer.object
    }

    static func damage(_ daemon: Daemon) throws -> [String] {
        try #require(try answer(daemon)["damage"] as? [String])
    }

    /// `count` audited requests (gets of a missing key) on one connection.
    static func requests(_ daemon: Daemon, _ count: Int, ns: String = "t") throws {
        let client = try daemon.connect()
        for index in 0..<count {
            #expect(try client.ask(#"{"op":"get","ns":"\#(ns)","key":"k\#(index)"}"#).code == "not_found")
        }
    }

    static func path(_ daemon: Daemon, _ name: String = "audit.log") -> String { "\(daemon.dataDirectory)/\(name)" }

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    @Test("an untouched log over restarts, a crash (SIGKILL) included, has no damage")
    func untouched() throws {
        let daemon = try Daemon.started()
        try Self.requests(daemon, 5)
        #expect(try daemon.stop() == 0)
        try daemon.start()
        try Self.requests(daemon, 3)
        Thread.sleep(forTimeInterval: 0.2)
        _ = daemon.kill9()
        try daemon.start()
        try Self.requests(daemon, 2)
        let answer = try Self.answer(daemon)
        #expect((answer["damage"] as? [String]) == [], "\(answer)")
        #expect((answer["items"] as? [[String: Any]])?.count == 10)
        #expect(answer["rotated"] == nil)
    }

    @Test("rm audit.log* while stopped: reported (the head in the vault names a segment that is gone)")
    func removedFiles() throws {
        let daemon = try Daemon.started()
        try Self.requests(daemon, 4)
        #expect(try daemon.stop() == 0)
        for name in ["audit.log", "audit.log.1"] { unlink(Self.path(daemon, name)) }
        try daemon.start()
        let damage = try Self.damage(daemon)
        #expect(damage.contains { $0.contains("is missing") }, "\(damage)")
        // And after new records start a new file, the cut is still reported.
        try Self.requests(daemon, 1)
        let later = try Self.damage(daemon)
        #expect(later.contains { $0.contains("start of the log are missing") }, "\(later)")
        var environment = daemon.environment
        environment["LOCKET_SOCKET"] = daemon.socketPath
        let cli = try Subprocess.run(Subprocess.product("locket"), ["audit"], environment: environment)
        #expect(cli.status == 6 && cli.stderr.contains("audit log damage"), "\(cli.stderr)")
    }

    @Test("the tail cut off while stopped (whole records): reported after the restart, before and after new records")
    func tailDroppedAcrossRestart() throws {
        let daemon = try Daemon.started()
        try Self.requests(daemon, 6)
        #expect(try daemon.stop() == 0)
        let path = Self.path(daemon)
        let bytes = try Self.bytes(path)
        let frames = AuditTests.frames(bytes)
        try #require(frames.count == 7)
        try Self.write(Array(bytes[..<frames[5].offset]), path) // the last two records
        try daemon.start()
        try Self.requests(daemon, 1)
        let damage = try Self.damage(daemon)
        #expect(damage.contains { $0.contains("2 record(s) missing at the end of segment") }, "\(damage)")
    }

    @Test("truncated while running: the head in memory reports the records missing at the end")
    func truncatedWhileRunning() throws {
        let daemon = try Daemon.started()
        try Self.requests(daemon, 5)
        _ = try Self.answer(daemon) // an audit waits until every queued record is written
        let path = Self.path(daemon)
        let frames = AuditTests.frames(try Self.bytes(path))
        try #require(frames.count == 6)
        #expect(truncate(path, off_t(frames[4].offset)) == 0)
        let damage = try Self.damage(daemon)
        #expect(damage.contains { $0.contains("2 record(s) missing at the end") }, "\(damage)")
    }

    @Test("a record cut from the middle and two records swapped are reported")
    func middleAndOrder() throws {
        let daemon = try Daemon.started()
        try Self.requests(daemon, 6)
        #expect(try daemon.stop() == 0)
        let path = Self.path(daemon)
        let original = try Self.bytes(path)
        let frames = AuditTests.frames(original)
        try #require(frames.count == 7)
        func frame(_ index: Int) -> [UInt8] { Array(original[frames[index].offset..<(frames[index].offset + frames[index].length)]) }

        // Swap records 2 and 3 (frames 3 and 4).
        var swapped = Array(original[..<frames[3].offset]) + frame(4) + frame(3)
        swapped += original[(frames[4].offset + frames[4].length)...]
        try Self.write(swapped, path)
        try daemon.start()
        var damage = try Self.damage(daemon)
        #expect(damage.contains { $0.contains("out of order") }, "\(damage)")
        #expect(try daemon.stop() == 0)

        // Put it back, then cut record 2 out.
        var cut = original
        cut.removeSubrange(frames[3].offset..<(frames[3].offset + frames[3].length))
        try Self.write(cut, path)
        unlink(Self.path(daemon) + ".1")
        try daemon.start()
        damage = try Self.damage(daemon)
        #expect(damage.contains { $0.contains("1 record(s) missing before byte") }, "\(damage)")
    }

    @Test("a whole segment cut out of the middle of audit.log is reported as missing")
    func segmentDropped() throws {
        let daemon = try Daemon.started()
        for _ in 0..<3 {
            try Self.requests(daemon, 2)
            #expect(try daemon.stop() == 0)
            try daemon.start()
        }
        #expect(try daemon.stop() == 0)
        let path = Self.path(daemon)
        var bytes = try Self.bytes(path)
        let headers = AuditTests.frames(bytes).filter { $0.type == UInt8(ascii: "H") }
        try #require(headers.count == 3, "one segment per run")
        bytes.removeSubrange(headers[1].offset..<headers[2].offset)
        try Self.write(bytes, path)
        try daemon.start()
        let damage = try Self.damage(daemon)
        #expect(damage.contains { $0.contains("which is missing") }, "\(damage)")
    }

    @Test("audit.log removed while the daemon runs: the writer starts a new file that says so; nothing is appended to the unlinked one")
    func unlinkedWhileRunning() throws {
        let daemon = try Daemon.started()
        try Self.requests(daemon, 3)
        _ = try Self.answer(daemon) // an audit waits until every queued record is written
        let path = Self.path(daemon)
        #expect(unlink(path) == 0)
        try Self.requests(daemon, 2, ns: "after")
        let answer = try Self.answer(daemon)
        #expect(FileManager.default.fileExists(atPath: path), "a new audit.log")
        let damage = try #require(answer["damage"] as? [String])
        #expect(damage.contains { $0.contains("removed, renamed or replaced") }, "\(damage)")
        let items = try #require(answer["items"] as? [[String: Any]])
        #expect(items.map { $0["ns"] as? String } == ["after", "after"], "the new records are in the new file")
    }

    @Test("a faked rotation (audit.log renamed to audit.log.1 while stopped) is damage, not rotation")
    func fakedRotation() throws {
        let daemon = try Daemon.started()
        try Self.requests(daemon, 3)
        #expect(try daemon.stop() == 0)
        try daemon.start()
        try Self.requests(daemon, 3)
        #expect(try daemon.stop() == 0)
        #expect(rename(Self.path(daemon), Self.path(daemon, "audit.log.1")) == 0)
        try daemon.start()
        try Self.requests(daemon, 1)
        let damage = try Self.damage(daemon)
        #expect(damage.contains { $0.contains("removed, renamed or replaced (not by rotation)") }, "\(damage)")
    }

    @Test("records rotated away are counted in the answer, refused attempts among them, and are not damage")
    func rotationCounted() throws {
        let daemon = try Daemon.started(arguments: ["--audit-max-bytes", "4096"])
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"allow","ns":"flood","path":"/nonexistent/allowed"}"#).ok)
        // A flood of refused attempts from this (ruled-out) runner pushes its own records out.
        for index in 0..<200 {
            #expect(try client.ask(#"{"op":"get","ns":"flood","key":"k\#(index)"}"#).code == "forbidden")
        }
        let answer = try Self.answer(daemon)
        #expect((answer["damage"] as? [String]) == [], "\(answer["damage"] ?? "")")
        let rotated = try #require(answer["rotated"] as? [String: Any], "\(answer.keys)")
        let records = try #require((rotated["records"] as? NSNumber)?.intValue)
        let refused = try #require((rotated["refused"] as? NSNumber)?.intValue)
        let kept = (answer["items"] as? [[String: Any]])?.count ?? 0
        #expect(records > 0 && refused > 0 && refused <= records)
        #expect(records + kept == 201, "every record is either kept or counted: \(records) + \(kept)")
        #expect(rotated["last"] is String)
        // Counts survive a restart (they are in the vault's head).
        #expect(try daemon.stop() == 0)
        try daemon.start()
        let again = try #require(try Self.answer(daemon)["rotated"] as? [String: Any])
        #expect((again["records"] as? NSNumber)?.intValue == records)
        var environment = daemon.environment
        environment["LOCKET_SOCKET"] = daemon.socketPath
        let cli = try Subprocess.run(Subprocess.product("locket"), ["audit"], environment: environment)
        #expect(cli.status == 0 && cli.stderr.contains("\(records) audit record(s) rotated away"), "\(cli.stderr)")
    }

    @Test("an edited audit head in the vault is reported")
    func editedHead() throws {
        let daemon = try Daemon.started()
        try Self.requests(daemon, 2)
        #expect(try daemon.stop() == 0)
        let database = "\(daemon.dataDirectory)/vault.sqlite"
        // Flip a byte of the head's record count (its 26th byte) with the sqlite3 CLI.
        let sql = "UPDATE meta SET value = substr(value, 1, 25) || X'7F' || substr(value, 27) WHERE name = 'audit_head';"
        let edit = try Subprocess.run("/usr/bin/sqlite3", [database, sql])
        try #require(edit.status == 0, "\(edit.stderr)")
        try daemon.start()
        let damage = try Self.damage(daemon)
        #expect(damage.contains { $0.contains("did not authenticate") || $0.contains("does not authenticate") }, "\(damage)")
    }
}
