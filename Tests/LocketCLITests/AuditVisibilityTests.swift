// `locket audit`, run by a program no rule admits, shows the refused attempts
// on ruled namespaces (and which program made them) and the rule changes,
// while `locket get` of those namespaces stays forbidden to it; the records
// it may not see are counted. `locket status` counts only the entries the
// caller may use. Admin ops are in the log with their outcome.
import Foundation
import LocketTestSupport
import Testing

@Suite("audit visibility")
struct AuditVisibilityTests {
    @Test("refused attempts on a ruled namespace show in locket audit without admitting locket to values")
    func refusedAttemptsVisible() throws {
        let cli = try CLI()
        let (folder, _, copy) = try AccessRuleCommandTests.programs()
        try cli.put("app", "token", "1")
        #expect(try cli.run("allow", "app", copy).status == 0)
        let allowedGet = try Subprocess.run(copy, ["get", "--socket", cli.socket, "app", "token"], environment: cleanEnvironment())
        #expect(allowedGet.status == 0)
        // The CLI (not allowed) tries and is refused.
        #expect(try cli.run("get", "app", "token").status == 6)

        let audit = try cli.run("audit", "--json", "--ns", "app")
        #expect(audit.status == 0, "\(audit.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.contains { $0["op"] as? String == "get" && $0["outcome"] as? String == "forbidden"
            && ($0["exe"] as? String ?? "").hasSuffix("/locket") })
        #expect(items.contains { $0["op"] as? String == "allow" && $0["target"] as? String == "path \(copy)" })
        #expect(!items.contains { $0["outcome"] as? String == "ok" && $0["op"] as? String == "get" }, "the allowed get is withheld")
        #expect((object["withheld"] as? NSNumber)?.intValue == 2, "the first put and the allowed get: \(object)")
        let table = try cli.run("audit", "--ns", "app")
        #expect(table.stderr.contains("2 record(s) of namespaces whose rule keeps this program out are withheld"), "\(table.stderr)")
        // Seeing the attempts did not open the values.
        #expect(try cli.run("get", "app", "token").status == 6)
        _ = folder
    }

    @Test("status.entries leaves out namespaces whose rule keeps the caller out")
    func statusEntries() throws {
        let cli = try CLI()
        let (folder, _, copy) = try AccessRuleCommandTests.programs()
        try cli.put("app", "a", "1")
        try cli.put("app", "b", "2")
        try cli.put("open", "c", "3")
        func entries(_ result: ProcessOutput) throws -> Int? {
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return (object?["entries"] as? NSNumber)?.intValue
        }
        #expect(try entries(try cli.run("status", "--json")) == 3)
        #expect(try cli.run("allow", "app", copy).status == 0)
        #expect(try entries(try cli.run("status", "--json")) == 1, "the CLI may use only 'open'")
        let allowed = try Subprocess.run(copy, ["status", "--json", "--socket", cli.socket], environment: cleanEnvironment())
        #expect(try entries(allowed) == 3)
        _ = folder
    }

    @Test("lock, unlock, rotate, allow and deny show in locket audit with their outcome and what they named")
    func adminOps() throws {
        let cli = try CLI()
        #expect(try cli.run("lock").status == 0)
        #expect(try cli.run("unlock").status == 0)
        #expect(try cli.run("rotate").status == 0)
        #expect(try cli.run("allow", "app", "--flatpak", "org.example.App").status == 0)
        #expect(try cli.run("deny", "app", "--flatpak", "org.example.App").status == 0)
        let audit = try cli.run("audit")
        #expect(audit.status == 0, "\(audit.stderr)")
        let rows = audit.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(rows.map { $0[1] } == ["lock", "unlock", "rotate", "allow", "deny"], "\(audit.stdout)")
        #expect(rows.allSatisfy { $0.contains("ok") })
        #expect(audit.stdout.contains("flatpak org.example.App"))
    }

    @Test("every wrong passphrase is an unlock record of its own (outcome locked), then the right one (ok); no passphrase in the log")
    func failedUnlocksAudited() throws {
        let secrets = TemporaryFolder("audit-unlock")
        let file = secrets.appending("passphrase")
        try Data("correct horse battery staple\n".utf8).write(to: URL(fileURLWithPath: file))
        let daemon = Daemon(arguments: ["--passphrase-file", file])
        daemon.extraArguments += ["--key-store", "passphrase"]
        try daemon.start()
        let socket = daemon.socketPath
        #expect(try runLocket(["lock", "--socket", socket]).status == 0)
        for guess in ["Tr0ub4dor&3", "hunter2", "letmein"] {
            #expect(try runLocket(["unlock", "--socket", socket], input: guess + "\n").status == 3)
        }
        #expect(try runLocket(["unlock", "--socket", socket], input: "correct horse battery staple\n").status == 0)
        let audit = try runLocket(["audit", "--socket", socket, "--json"])
        #expect(audit.status == 0, "\(audit.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        let unlocks = items.filter { $0["op"] as? String == "unlock" }.map { $0["outcome"] as? String ?? "" }
        #expect(unlocks.count == 4 && unlocks.last == "ok" && unlocks.dropLast().allSatisfy { $0 != "ok" }, "\(unlocks)")
        #expect(items.first?["op"] as? String == "lock")
        for secret in ["Tr0ub4dor", "hunter2", "letmein", "horse"] {
            #expect(!audit.stdout.contains(secret))
            let raw = try Data(contentsOf: URL(fileURLWithPath: "\(daemon.dataDirectory)/audit.log"))
            #expect(raw.range(of: Data(secret.utf8)) == nil)
        }
        _ = secrets
    }
}
