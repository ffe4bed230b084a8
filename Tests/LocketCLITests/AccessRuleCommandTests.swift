// `locket allow`, `locket deny` and `locket rules` against a real daemon, with
// two executables: the built `locket` and a copy of it at another path.
import Foundation
import LocketTestSupport
import Testing

@Suite("access rules")
struct AccessRuleCommandTests {
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A folder holding `lk` (a symlink to the built `locket`) and `other` (a copy of it).
    static func programs() throws -> (folder: TemporaryFolder, real: String, copy: String) {
        let folder = TemporaryFolder("rules-cli")
        let path = realPath(folder.path)
        try FileManager.default.createSymbolicLink(atPath: "\(path)/lk", withDestinationPath: locketBinary)
        try FileManager.default.copyItem(atPath: locketBinary, toPath: "\(path)/other")
        return (folder, realPath(locketBinary), "\(path)/other")
    }

    @Test("allow finds PROGRAM in PATH and resolves symlinks; the other executable gets forbidden until deny")
    func allowDenyRules() throws {
        let cli = try CLI()
        let (folder, real, copy) = try Self.programs()
        try cli.put("app", "k", "1")
        let path = Self.realPath(folder.path)
        let allow = try runLocket(["allow", "--socket", cli.socket, "app", "lk"],
                                  environment: cleanEnvironment(["PATH": "\(path):/usr/bin:/bin"]))
        expectGolden(allow, status: 0, stdout: "allowed: \(real) may use app (new rule: other programs are now refused)\n")

        cli.expect(try cli.run("get", "app", "k"), status: 0, stdout: "1\n")
        let denied = try Subprocess.run(copy, ["get", "--socket", cli.socket, "app", "k"], environment: cleanEnvironment())
        expectGolden(denied, status: 6, stderr: "locket: namespace \"app\" has an access rule that does not allow \(copy)\n")
        let listed = try Subprocess.run(copy, ["list", "--socket", cli.socket], environment: cleanEnvironment())
        expectGolden(listed, status: 0, stdout: "NS  KEY  VERSION  UPDATED  EXPIRES\n")

        cli.expect(try cli.run("rules"), status: 0, stdout: """
            NS   PROGRAM\(String(repeating: " ", count: max(0, real.count - 7)))  SHA256
            app  \(real)  -

            """)
        cli.expect(try cli.run("rules", "app", "--json"), status: 0,
                   stdout: #"[{"ns":"app","programs":[{"path":"\#(real)","sha256":null}]}]"# + "\n")

        cli.expect(try cli.run("deny", "app", copy), status: 1, stderr: "locket: app has no rule allowing \(copy)\n")
        cli.expect(try cli.run("deny", "app"), status: 0, stdout: "removed the rule for app: every program may use it again\n")
        let open = try Subprocess.run(copy, ["get", "--socket", cli.socket, "app", "k"], environment: cleanEnvironment())
        expectGolden(open, status: 0, stdout: "1\n")
        cli.expect(try cli.run("rules", "--json"), status: 0, stdout: "[]\n")
        _ = folder
    }

    @Test("--pin-hash pins the program's SHA-256; deny of one program keeps the others")
    func pinHash() throws {
        let cli = try CLI()
        let (folder, real, copy) = try Self.programs()
        let pinned = try cli.run("allow", "app", copy, "--pin-hash")
        #expect(pinned.status == 0, "\(pinned.stderr)")
        let digest = try #require(pinned.stdout.firstMatch(of: /sha256 ([0-9a-f]{64})/)?.1)
        cli.expect(try cli.run("allow", "app", real), status: 0, stdout: "allowed: \(real) may use app\n")
        let rules = try cli.run("rules", "--json")
        #expect(rules.stdout == #"[{"ns":"app","programs":[{"path":"\#(copy)","sha256":"\#(digest)"},{"path":"\#(real)","sha256":null}]}]"# + "\n")
        cli.expect(try cli.run("deny", "app", real), status: 0, stdout: "denied: \(real) may no longer use app\n")
        let denied = try cli.run("get", "app", "k")
        #expect(denied.status == 6 && denied.stderr.contains("does not allow \(real)"), "\(denied.stderr)")
        _ = folder
    }

    @Test("export leaves out a namespace whose rule does not allow locket, and says so")
    func exportWarns() throws {
        let cli = try CLI()
        let (folder, _, copy) = try Self.programs()
        try cli.put("app", "k", "1")
        try cli.put("open", "k", "2")
        #expect(try cli.run("allow", "app", copy).status == 0)
        let backup = try BackupFolder()
        let exported = try cli.export(to: backup, "b.lkb")
        #expect(exported.stderr == """
            export: 1 entry sealed into \(backup.path("b.lkb"))
            export: left out 1 namespace(s) whose access rule does not allow locket: app (to include them: locket allow NS locket)

            """)
        let json = try cli.export(to: backup, "c.lkb", "--json")
        #expect(json.stdout == #"{"entries":1,"vanished":0,"bytes":\#(try backup.bytes("c.lkb").count),"ruled_out":["app"]}"# + "\n")
        _ = folder
    }

    @Test("a PROGRAM that is not an executable file is a usage error; so is an invalid namespace")
    func usage() throws {
        let cli = try CLI()
        cli.expect(try cli.run("allow", "app", "no-such-program-here"), status: 2,
                   stderr: "locket: no executable file 'no-such-program-here' (looked up in PATH when it has no '/')\n")
        let folder = TemporaryFolder("rules-cli")
        let plain = folder.appending("plain")
        #expect(FileManager.default.createFile(atPath: plain, contents: Data("x".utf8), attributes: [.posixPermissions: 0o644]))
        cli.expect(try cli.run("allow", "app", plain), status: 2,
                   stderr: "locket: no executable file '\(plain)' (looked up in PATH when it has no '/')\n")
        let invalid = try cli.run("allow", "", "/bin/sh")
        #expect(invalid.status == 2, "\(invalid.stderr)")
        cli.expect(try cli.run("rules", "--json"), status: 0, stdout: "[]\n")
    }
}
