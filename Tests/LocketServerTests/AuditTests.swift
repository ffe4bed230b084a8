// The access audit log against the real daemon: who (exe, pid) did what, with
// what outcome; sealed on disk, rotated at its cap, tamper-evident, and off
// with --no-audit.
import Foundation
import LocketTestSupport
import Testing

@Suite("Access audit")
struct AuditTests {
    /// The audit entries the daemon answers (all of them), and its damage lines.
    static func audit(_ client: LineClient, _ members: String = "") throws -> (items: [[String: Any]], damage: [String]) {
        let answer = try client.ask(#"{"op":"audit","limit":100000\#(members)}"#)
        #expect(answer.ok, "\(answer.line)")
        let items = try #require(answer.object["items"] as? [[String: Any]])
        let damage = try #require(answer.object["damage"] as? [String])
        return (items, damage)
    }

    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Runs the real `locket` CLI through `exec` from a shell that first prints its pid,
    /// so the pid the daemon sees is known.
    static func locket(_ daemon: Daemon, _ arguments: String) throws -> (pid: Int32, output: ProcessOutput) {
        var environment = daemon.environment
        environment["LOCKET_SOCKET"] = daemon.socketPath
        let output = try Subprocess.shell("echo $$; exec '\(Subprocess.product("locket"))' \(arguments)", environment: environment)
        let pid = try #require(Int32(output.stdout.split(separator: "\n").first ?? ""))
        return (pid, output)
    }

    /// The frames of an audit file: (offset, length of the whole frame, type).
    static func frames(_ bytes: [UInt8]) -> [(offset: Int, length: Int, type: UInt8)] {
        var frames: [(Int, Int, UInt8)] = []
        var offset = 0
        while offset + 5 <= bytes.count {
            let length = (0..<4).reduce(0) { $0 | Int(bytes[offset + 1 + $1]) << (8 * $1) }
            frames.append((offset, 5 + length, bytes[offset]))
            offset += 5 + length
        }
        return frames
    }

    @Test("entries name the calling program and pid: the locket CLI and this test process, with the outcome")
    func twoExecutables() throws {
        let daemon = try Daemon.started()
        let put = try Self.locket(daemon, #"put app token '{"t":1}'"#)
        #expect(put.output.status == 0, "\(put.output.stderr)")
        let get = try Self.locket(daemon, "get app token")
        #expect(get.output.status == 0, "\(get.output.stderr)")
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"token"}"#).ok)
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"other"}"#).code == "not_found")

        let (items, damage) = try Self.audit(client)
        #expect(damage.isEmpty, "\(damage)")
        try #require(items.count == 4, "\(items)")
        let cli = Self.realPath(Subprocess.product("locket"))
        let me = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let expected: [(op: String, exe: String, pid: Int32, outcome: String)] = [
            ("put", cli, put.pid, "ok"), ("get", cli, get.pid, "ok"), ("get", me, getpid(), "ok"), ("get", me, getpid(), "not_found"),
        ]
        for (item, want) in zip(items, expected) {
            #expect(item["op"] as? String == want.op)
            #expect(item["exe"] as? String == want.exe)
            #expect((item["pid"] as? NSNumber)?.int32Value == want.pid)
            #expect((item["uid"] as? NSNumber)?.uint32Value == getuid())
            #expect(item["outcome"] as? String == want.outcome)
            #expect(item["ns"] as? String == "app")
            #expect(item["key"] == nil && item["value"] == nil)
        }
        let hashes = items.map { $0["key_hash"] as? String }
        #expect(hashes[0] != nil && hashes[0]!.count == 32)
        #expect(hashes[0] == hashes[1] && hashes[1] == hashes[2], "one key name, one hash")
        #expect(hashes[3] != hashes[0])

        let status = try client.ask(#"{"op":"status"}"#)
        #expect(status.bool("audit") == true && status.int("audit_dropped") == 0, "\(status.line)")
        // One info line per access in the daemon's log, with the short key hash and no name.
        let accessLines = daemon.log.split(separator: "\n").filter { $0.contains(" access ") }
        #expect(accessLines.count == 4, "\(daemon.log.suffix(800))")
        #expect(accessLines.contains { $0.contains("key_hash=\(hashes[0]!.prefix(8))") && $0.contains("pid=\(getpid())") })
        #expect(!accessLines.contains { $0.contains("app") && !$0.contains("exe=") })
        #expect(try daemon.stop() == 0)
    }

    @Test("past --audit-max-bytes audit.log rotates to audit.log.1: both stay under the cap and read back intact")
    func rotationCapsTheSize() throws {
        // A record is a few hundred bytes (the runner's path and cgroup are in it, and their
        // length depends on where the suite runs): 16 KiB keeps dozens per file, and 600
        // records rotate several times whatever the record size.
        let cap = 16384
        let daemon = try Daemon.started(arguments: ["--audit-max-bytes", String(cap)])
        let client = try daemon.connect()
        let total = 600
        for index in 0..<total {
            #expect(try client.ask(#"{"op":"get","ns":"rot","key":"k\#(index)"}"#).code == "not_found")
        }
        let (items, damage) = try Self.audit(client)
        #expect(damage.isEmpty, "\(damage)")
        #expect(items.count > 20 && items.count < total, "kept \(items.count) of \(total)")
        #expect((items.last?["ns"] as? String) == "rot" && (items.last?["outcome"] as? String) == "not_found")
        let times = items.compactMap { ($0["time_ms"] as? NSNumber)?.int64Value }
        #expect(times == times.sorted(), "oldest first")
        for name in ["audit.log", "audit.log.1"] {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: "\(daemon.dataDirectory)/\(name)")[.size] as? Int)
            #expect(size > 0 && size <= cap, "\(name) is \(size) bytes")
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("accesses while the vault is locked (even from start) are logged and read back after unlock, hashed like the rest")
    func lockedAccessesAppearAfterUnlock() throws {
        let daemon = try Daemon.started()
        var client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":1}"#).ok)
        #expect(try daemon.stop() == 0)
        // Take the key file away: the next start is locked (no key).
        let keyFile = try #require(try FileManager.default.contentsOfDirectory(atPath: daemon.dataDirectory).first { $0.hasPrefix("master-") })
        let keyPath = "\(daemon.dataDirectory)/\(keyFile)"
        try FileManager.default.moveItem(atPath: keyPath, toPath: daemon.folder.appending("key-aside"))
        try daemon.start()
        client = try daemon.connect()
        #expect(try client.ask(#"{"op":"status"}"#).bool("locked") == true)
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"k"}"#).code == "locked")
        #expect(try client.ask(#"{"op":"audit"}"#).code == "locked")
        try FileManager.default.moveItem(atPath: daemon.folder.appending("key-aside"), toPath: keyPath)
        #expect(try client.ask(#"{"op":"unlock"}"#).ok)
        let (items, damage) = try Self.audit(client)
        #expect(damage.isEmpty, "\(damage)")
        // The unlock is audited too (admin ops are).
        try #require(items.count == 3 && items[2]["op"] as? String == "unlock", "\(items)")
        #expect(items[0]["op"] as? String == "put" && items[0]["outcome"] as? String == "ok")
        #expect(items[1]["op"] as? String == "get" && items[1]["outcome"] as? String == "locked")
        #expect(items[1]["key_hash"] as? String == items[0]["key_hash"] as? String, "hashed at read time, the same hash")
        #expect(try daemon.stop() == 0)
    }

    @Test("after a master-key rotation and a restart, old and new segments all read back, one hash per key name")
    func rotationKeepsOldSegmentsReadable() throws {
        let daemon = try Daemon.started()
        var client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":1}"#).ok)
        #expect(try client.ask(#"{"op":"rotate"}"#).ok)
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"k"}"#).ok)
        #expect(try daemon.stop() == 0)
        try daemon.start()
        client = try daemon.connect()
        #expect(try client.ask(#"{"op":"rotate"}"#).ok)
        #expect(try client.ask(#"{"op":"delete","ns":"app","key":"k"}"#).ok)
        let (items, damage) = try Self.audit(client)
        #expect(damage.isEmpty, "\(damage)")
        #expect(items.map { $0["op"] as? String } == ["put", "rotate", "get", "rotate", "delete"])
        #expect(Set(items.filter { $0["op"] as? String != "rotate" }.map { $0["key_hash"] as? String }).count == 1)
        #expect(try daemon.stop() == 0)
    }

    @Test("no ns, key or value is in the audit files, nor in the access lines, locked accesses included")
    func noPlainNames() throws {
        let ns = "nsaudit\(UInt32.random(in: 1000...9999))", key = "keyaudit\(UInt32.random(in: 1000...9999))"
        let value = "valueaudit\(UInt32.random(in: 1000...9999))"
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"\#(ns)","key":"\#(key)","value":"\#(value)"}"#).ok)
        #expect(try client.request(#"{"op":"get","ns":"\#(ns)","key":"\#(key)"}"#).contains(value))
        #expect(try client.ask(#"{"op":"lock"}"#).ok)
        #expect(try client.ask(#"{"op":"get","ns":"\#(ns)","key":"\#(key)"}"#).code == "locked")
        #expect(try client.ask(#"{"op":"unlock"}"#).ok)
        #expect(try Self.audit(client).items.count == 5, "put, get, lock, get (locked), unlock")
        #expect(try daemon.stop() == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(daemon.dataDirectory)/audit.log"))
        #expect(bytes.count > 300)
        for marker in [ns, key, value] {
            #expect(bytes.range(of: Data(marker.utf8)) == nil, "audit.log holds \(marker.prefix(7))… in plain text")
            #expect(!daemon.log.contains(marker), "the log holds \(marker.prefix(7))…")
        }
        #expect(daemon.log.contains(" access "))
    }

    @Test("a changed record and a removed record are reported as damage, by the op and by locket audit (exit 6)")
    func tamperingIsReported() throws {
        let daemon = try Daemon.started()
        var client = try daemon.connect()
        for index in 0..<6 {
            #expect(try client.ask(#"{"op":"get","ns":"t","key":"k\#(index)"}"#).code == "not_found")
        }
        #expect(try daemon.stop() == 0)
        let path = "\(daemon.dataDirectory)/audit.log"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let frames = Self.frames(bytes)
        try #require(frames.count == 7 && frames[0].type == UInt8(ascii: "H"), "\(frames)")
        // Flip one byte inside the ciphertext of record 1, and cut record 3 out.
        bytes[frames[2].offset + 5 + 8 + 30] ^= 0x01
        bytes.removeSubrange(frames[4].offset..<(frames[4].offset + frames[4].length))
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        try daemon.start()
        client = try daemon.connect()
        let (items, damage) = try Self.audit(client)
        #expect(items.count == 4, "the 4 intact records of 6")
        #expect(damage.contains { $0.contains("does not authenticate") }, "\(damage)")
        #expect(damage.contains { $0.contains("missing") }, "\(damage)")
        var environment = daemon.environment
        environment["LOCKET_SOCKET"] = daemon.socketPath
        let cli = try Subprocess.run(Subprocess.product("locket"), ["audit"], environment: environment)
        #expect(cli.status == 6, "\(cli.stderr)")
        #expect(cli.stderr.contains("does not authenticate"))
        #expect(try daemon.stop() == 0)
    }

    @Test("access lines are capped at 100 a second; one line counts the rest, and the audit log has every access")
    func accessLinesAreRateLimited() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        let burst = 400
        try client.send(String(repeating: #"{"op":"get","ns":"burst","key":"k"}"# + "\n", count: burst))
        for _ in 0..<burst { #expect(try client.nextAnswer().code == "not_found") }
        usleep(1_100_000)
        #expect(try client.ask(#"{"op":"get","ns":"burst","key":"k"}"#).code == "not_found")
        #expect(try Self.audit(client).items.count == burst + 1)
        #expect(try daemon.stop() == 0)
        let lines = daemon.log.split(separator: "\n")
        let logged = lines.filter { $0.contains(" access exe=") }.count
        let leftOut = lines.filter { $0.contains(" access lines left out") }
            .compactMap { line in line.firstMatch(of: /count=(\d+)/).flatMap { Int($0.1) } }.reduce(0, +)
        #expect(logged < burst, "\(logged) access lines for \(burst) accesses in about a second")
        #expect(leftOut > 0)
        #expect(logged + leftOut == burst + 1, "every access is either a line or counted")
    }

    @Test("--no-audit writes no audit file and no access line; status says audit is off")
    func noAudit() throws {
        let daemon = try Daemon.started(arguments: ["--no-audit"])
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":1}"#).ok)
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"k"}"#).ok)
        let status = try client.ask(#"{"op":"status"}"#)
        #expect(status.bool("audit") == false && status.int("audit_dropped") == nil, "\(status.line)")
        #expect(try Self.audit(client).items.isEmpty)
        #expect(try daemon.stop() == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: daemon.dataDirectory)
        #expect(!files.contains { $0.hasPrefix("audit.log") }, "\(files)")
        #expect(!daemon.log.contains(" access "))
    }
}
