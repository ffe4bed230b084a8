// Human output never passes a control character to the terminal: a program
// whose path holds ESC sequences, and key names or rule labels with C1 or
// bidirectional controls, are shown escaped by `audit`, `list` and `rules`.
import Foundation
import LocketTestSupport
import Testing

@Suite("terminal escapes")
struct TerminalEscapeTests {
    /// Bytes a terminal would act on: C0 controls but newline, DEL, and the
    /// UTF-8 of C1 controls (U+0080 to U+009F) and bidirectional overrides.
    static func controls(in text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { scalar in
            switch scalar.value {
            case 0x0A: false
            case 0..<0x20, 0x7F, 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
            default: false
            }
        }
    }

    @Test("a program named with ESC sequences shows escaped in locket audit (JSON keeps the exact path)")
    func auditProgramPath() throws {
        let cli = try CLI()
        let folder = TemporaryFolder("escape-cli")
        let evil = "\(AccessRuleCommandTests.realPath(folder.path))/lk\u{1b}[2K\u{1b}[1A\u{9b}2Kx"
        try FileManager.default.copyItem(atPath: locketBinary, toPath: evil)
        let put = try Subprocess.run(evil, ["put", "--socket", cli.socket, "app", "k", "1"], environment: cleanEnvironment())
        #expect(put.status == 0, "\(put.stderr)")

        let table = try cli.run("audit")
        #expect(table.status == 0, "\(table.stderr)")
        #expect(Self.controls(in: table.stdout).isEmpty, "raw control characters reached stdout")
        #expect(table.stdout.contains(#"/lk\e[2K\e[1A\u{009b}2Kx"#), "\(table.stdout)")
        let json = try cli.run("audit", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.first?["exe"] as? String == evil, "JSON carries the exact path")
        _ = folder
    }

    @Test("key names with C1 and bidirectional controls show escaped in locket list; a label rule in locket rules")
    func listAndRules() throws {
        let cli = try CLI()
        try cli.put("app", "a\u{9b}2Kb\u{202e}c", "1")
        let list = try cli.run("list")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(Self.controls(in: list.stdout).isEmpty, "\(list.stdout.debugDescription)")
        #expect(list.stdout.contains(#"a\u{009b}2Kb\u{202e}c"#), "\(list.stdout)")

        let allow = try cli.run("allow", "app", "--label", "prof\u{9b}1A\u{202e}x")
        #expect(allow.status == 0, "\(allow.stderr)")
        #expect(Self.controls(in: allow.stdout).isEmpty, "\(allow.stdout.debugDescription)")
        let rules = try cli.run("rules")
        #expect(Self.controls(in: rules.stdout).isEmpty, "\(rules.stdout.debugDescription)")
        #expect(rules.stdout.contains(#"label prof\u{009b}1A\u{202e}x"#), "\(rules.stdout)")
    }
}
