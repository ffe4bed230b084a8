// Access rules against the real daemon, with two real executables: the
// `locket` CLI and this test runner. A rule allowing only one of them leaves
// the other with `forbidden`, audited; a pinned hash refuses a modified copy;
// rules survive a restart and a rotation; `deny` of the last program reopens.
import Foundation
@testable import LocketServer
import LocketStore
import LocketTestSupport
import Testing

@Suite("Access rules")
struct AccessRuleTests {
    static var cli: String { AuditTests.realPath(Subprocess.product("locket")) }
    static var me: String { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "?" }

    static func allow(_ client: LineClient, _ ns: String, _ path: String, _ extra: String = "") throws -> Answer {
        try client.ask(#"{"op":"allow","ns":"\#(ns)","path":"\#(path)"\#(extra)}"#)
    }

    @Test("a rule allowing the CLI: the CLI reads and writes, this test runner gets forbidden, and the audit shows both")
    func twoExecutables() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"token","value":{"t":1}}"#).ok)
        #expect(try client.ask(#"{"op":"put","ns":"free","key":"k","value":1}"#).ok)

        let allowed = try Self.allow(client, "app", Self.cli)
        #expect(allowed.ok, "\(allowed.line)")
        #expect(allowed.bool("created") == true)

        let denied = try client.ask(#"{"op":"get","ns":"app","key":"token"}"#)
        #expect(denied.code == "forbidden", "\(denied.line)")
        let message = (denied.object["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("\"app\"") && message.contains(Self.me), "\(message)")
        #expect(!message.contains("\"t\""), "no value in the message")
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"token","value":2}"#).code == "forbidden")
        #expect(try client.ask(#"{"op":"delete","ns":"app","key":"token"}"#).code == "forbidden")
        #expect(try client.ask(#"{"op":"list","ns":"app"}"#).code == "forbidden")
        // Its audit shows this runner only the refused attempts and rule changes, never the served accesses.
        let ownAudit = try client.ask(#"{"op":"audit","ns":"app"}"#)
        #expect(ownAudit.ok, "\(ownAudit.line)")
        #expect((ownAudit.object["items"] as? [[String: Any]] ?? []).allSatisfy {
            $0["outcome"] as? String == "forbidden" || $0["op"] as? String == "allow"
        }, "\(ownAudit.line)")
        #expect(try client.ask(#"{"op":"get","ns":"free","key":"k"}"#).ok, "a namespace without a rule is open")

        let listAll = try client.ask(#"{"op":"list"}"#)
        let namespaces = (listAll.object["items"] as? [[String: Any]] ?? []).compactMap { $0["ns"] as? String }
        #expect(namespaces == ["free"], "list-all hides the ruled namespace: \(listAll.line)")

        let get = try AuditTests.locket(daemon, "get app token")
        #expect(get.output.status == 0, "\(get.output.stderr)")
        #expect(get.output.stdout.contains(#"{"t":1}"#))
        let put = try AuditTests.locket(daemon, "put app token 3")
        #expect(put.output.status == 0, "\(put.output.stderr)")
        let list = try AuditTests.locket(daemon, "list --json")
        #expect(list.output.stdout.contains(#""ns":"app""#) && list.output.stdout.contains(#""ns":"free""#))

        // The audit, read by the allowed CLI, has both outcomes with the right exe;
        // read unfiltered by this runner, it shows only the refused attempts of the ruled namespace.
        let audit = try AuditTests.locket(daemon, "audit --json --ns app")
        #expect(audit.output.status == 0, "\(audit.output.stderr)")
        let items = try #require(try LineClient.object(String(audit.output.stdout.split(separator: "\n")[1]))["items"] as? [[String: Any]])
        let gets = items.filter { $0["op"] as? String == "get" }
        #expect(gets.contains { $0["outcome"] as? String == "forbidden" && $0["exe"] as? String == Self.me })
        #expect(gets.contains { $0["outcome"] as? String == "ok" && $0["exe"] as? String == Self.cli
                && ($0["pid"] as? NSNumber)?.int32Value == get.pid })
        #expect(items.contains { $0["op"] as? String == "allow" && $0["outcome"] as? String == "ok" })
        let (mine, _) = try AuditTests.audit(client)
        #expect(!mine.isEmpty && mine.allSatisfy {
            $0["ns"] as? String != "app" || $0["outcome"] as? String == "forbidden" || $0["op"] as? String == "allow"
        }, "\(mine)")
        #expect(mine.contains { $0["ns"] as? String == "app" && $0["outcome"] as? String == "forbidden" && $0["exe"] as? String == Self.me })

        let rules = try client.ask(#"{"op":"rules"}"#)
        let ruleItems = try #require(rules.object["items"] as? [[String: Any]])
        #expect(ruleItems.count == 1 && ruleItems[0]["ns"] as? String == "app")
        let programs = try #require(ruleItems[0]["programs"] as? [[String: Any]])
        #expect(programs.count == 1 && programs[0]["path"] as? String == Self.cli && programs[0]["sha256"] is NSNull)
        #expect(!daemon.log.contains(#"{"t":1}"#))
    }

    @Test("a pinned hash refuses a copied-then-modified binary at the same path")
    func pinnedHash() throws {
        let daemon = try Daemon.started()
        let folder = TemporaryFolder("rules-copy")
        // The path as the kernel shows it (the temporary folder may be under a symlink).
        let copy = AuditTests.realPath(folder.path) + "/locket-copy"
        try FileManager.default.copyItem(atPath: Self.cli, toPath: copy)
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"token","value":1}"#).ok)
        let allowed = try Self.allow(client, "app", copy, #","hash":true"#)
        #expect(allowed.ok, "\(allowed.line)")
        let pinned = try #require(allowed.string("sha256"))
        #expect(pinned.count == 64)

        var environment = daemon.environment
        environment["LOCKET_SOCKET"] = daemon.socketPath
        let before = try Subprocess.run(copy, ["get", "app", "token"], environment: environment)
        #expect(before.status == 0, "\(before.stderr)")
        // The original binary, at another path, is not allowed either.
        #expect(try Subprocess.run(Self.cli, ["get", "app", "token"], environment: environment).status != 0)

        let handle = try #require(FileHandle(forWritingAtPath: copy))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let after = try Subprocess.run(copy, ["get", "app", "token"], environment: environment)
        #expect(after.status != 0)
        #expect(after.stderr.contains("does not match"), "\(after.stderr)")

        // Pinning the new content lets it in again.
        #expect(try Self.allow(client, "app", copy, #","hash":true"#).string("sha256") != pinned)
        #expect(try Subprocess.run(copy, ["get", "app", "token"], environment: environment).status == 0)
    }

    @Test("rules survive a restart and a rotation; deny of the last program reopens the namespace")
    func durable() throws {
        let daemon = try Daemon.started()
        var client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"token","value":1}"#).ok)
        #expect(try Self.allow(client, "app", Self.cli).ok)
        #expect(try Self.allow(client, "app", "/usr/bin/other-app", #","sha256":"\#(String(repeating: "AB", count: 32))""#).ok)
        #expect(try daemon.stop() == 0)
        try daemon.start()
        client = try daemon.connect()
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"token"}"#).code == "forbidden")
        let rotated = try client.ask(#"{"op":"rotate"}"#)
        #expect(rotated.ok, "\(rotated.line)")
        #expect(try client.ask(#"{"op":"lock"}"#).ok)
        #expect(try client.ask(#"{"op":"unlock"}"#).ok)
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"token"}"#).code == "forbidden")
        let rules = try client.ask(#"{"op":"rules","ns":"app"}"#)
        let programs = try #require((rules.object["items"] as? [[String: Any]])?.first?["programs"] as? [[String: Any]])
        #expect(programs.map { $0["path"] as? String } == [Self.cli, "/usr/bin/other-app"])
        #expect(programs[1]["sha256"] as? String == String(repeating: "ab", count: 32), "stored in lowercase")
        #expect(try AuditTests.locket(daemon, "get app token").output.status == 0)

        let first = try client.ask(#"{"op":"deny","ns":"app","path":"\#(Self.cli)"}"#)
        #expect(first.int("removed") == 1 && first.bool("rule_left") == true, "\(first.line)")
        #expect(try AuditTests.locket(daemon, "get app token").output.status != 0, "the CLI is no longer allowed")
        let last = try client.ask(#"{"op":"deny","ns":"app","path":"/usr/bin/other-app"}"#)
        #expect(last.int("removed") == 1 && last.bool("rule_left") == false, "\(last.line)")
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"token"}"#).ok, "no rule left: open again")
        #expect((try client.ask(#"{"op":"rules"}"#).object["items"] as? [Any])?.isEmpty == true)
        #expect(try client.ask(#"{"op":"deny","ns":"app"}"#).int("removed") == 0)
        #expect(try client.ask(#"{"op":"status"}"#).int("entries") == 1, "the rules are not an entry")
    }

    @Test("bad members of allow, deny and rules answer bad_request")
    func badMembers() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        let requests = [
            #"{"op":"allow","ns":"app"}"#,
            #"{"op":"allow","path":"/usr/bin/x"}"#,
            #"{"op":"allow","ns":"app","path":"usr/bin/x"}"#,
            #"{"op":"allow","ns":"app","path":"/usr/bin/../bin/x"}"#,
            #"{"op":"allow","ns":"app","path":"/usr//bin/x"}"#,
            #"{"op":"allow","ns":"app","path":"/usr/bin/"}"#,
            #"{"op":"allow","ns":"app","path":"/"}"#,
            #"{"op":"allow","ns":"app","path":7}"#,
            #"{"op":"allow","ns":"app","path":"/usr/bin/x","sha256":"abc"}"#,
            #"{"op":"allow","ns":"app","path":"/usr/bin/x","sha256":"\#(String(repeating: "g", count: 64))"}"#,
            #"{"op":"allow","ns":"app","path":"/usr/bin/x","hash":"yes"}"#,
            #"{"op":"allow","ns":"app","path":"/usr/bin/x","hash":true,"sha256":"\#(String(repeating: "0", count: 64))"}"#,
            #"{"op":"allow","ns":"app","path":"/no/such/program","hash":true}"#,
            #"{"op":"deny"}"#,
            #"{"op":"deny","ns":"app","path":"x"}"#,
            #"{"op":"rules","ns":""}"#,
            #"{"op":"rules","ns":5}"#,
        ]
        for request in requests {
            let answer = try client.ask(request)
            #expect(answer.code == "bad_request", "\(request) → \(answer.line)")
        }
        #expect((try client.ask(#"{"op":"rules"}"#).object["items"] as? [Any])?.isEmpty == true, "nothing was stored")
        let hello = try client.ask(#"{"op":"hello"}"#)
        let ops = hello.object["ops"] as? [String] ?? []
        #expect(ops.contains("allow") && ops.contains("deny") && ops.contains("rules"))
    }

    @Test("the decision: unknown, deleted, other path, pinned content")
    func decision() {
        let programs = [AllowedProgramFixture.plain, AllowedProgramFixture.pinned]
        var caller = CallerIdentity(pid: 42, uid: 1000, gid: 1000, exe: "/usr/bin/app")
        #expect(AccessControl.check(ns: "n", programs: programs, caller: caller, digest: { nil }) == nil)
        caller.exeDeleted = true
        #expect(AccessControl.check(ns: "n", programs: programs, caller: caller, digest: { nil })?.contains("deleted") == true)
        caller = CallerIdentity(pid: 42, uid: 1000, gid: 1000, exe: nil)
        #expect(AccessControl.check(ns: "n", programs: programs, caller: caller, digest: { nil })?.contains("cannot be identified") == true)
        caller.exe = "/usr/bin/other"
        #expect(AccessControl.check(ns: "n", programs: programs, caller: caller, digest: { nil })?.contains("does not allow /usr/bin/other") == true)
        caller.exe = "/usr/bin/pinned"
        #expect(AccessControl.needsDigest(programs, caller: caller))
        #expect(AccessControl.check(ns: "n", programs: programs, caller: caller, digest: { String(repeating: "a", count: 64) }) == nil)
        #expect(AccessControl.check(ns: "n", programs: programs, caller: caller, digest: { String(repeating: "b", count: 64) })?.contains("does not match") == true)
        #expect(AccessControl.check(ns: "n", programs: programs, caller: caller, digest: { nil })?.contains("could not be read") == true)
    }
}

enum AllowedProgramFixture {
    static let plain = AllowedProgram(path: "/usr/bin/app")
    static let pinned = AllowedProgram(path: "/usr/bin/pinned", sha256: String(repeating: "a", count: 64))
}
