// The committed shell completions (scripts/completions writes them).
import Foundation
import LocketTestSupport
import Testing

@Suite("shell completions")
struct CompletionTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let files = [("bash", "completions/locket.bash"), ("zsh", "completions/_locket"), ("fish", "completions/locket.fish")]

    @Test("completions for bash, zsh and fish exist and name every subcommand and --socket")
    func filesMentionSubcommands() throws {
        for (_, path) in Self.files {
            let text = try String(contentsOf: Self.repository.appendingPathComponent(path), encoding: .utf8)
            for word in ["put", "get", "delete", "list", "status", "lock", "unlock", "rotate", "watch", "allow", "deny", "rules", "export", "import", "ping", "socket"] {
                #expect(text.contains(word), "\(path) mentions \(word)")
            }
        }
    }

    @Test("the committed completions are what the built locket generates (run scripts/completions)")
    func filesAreCurrent() throws {
        for (shell, path) in Self.files {
            let committed = try String(contentsOf: Self.repository.appendingPathComponent(path), encoding: .utf8)
            let generated = try runLocket(["--generate-completion-script", shell])
            #expect(generated.status == 0)
            #expect(generated.stdout == committed, "\(path) is stale")
        }
    }

    @Test("namespaces and keys complete from the running daemon")
    func customCompletion() throws {
        let cli = try CLI()
        try cli.put("app", "k1", "1")
        try cli.put("app", "k2", "2")
        try cli.put("web", "x", "3")
        let namespaces = try runLocket(["---completion", "get", "--", "positional@0", "4", "0",
                                        "locket", "get", "--socket", cli.socket, ""])
        expectGolden(namespaces, status: 0, stdout: "app\nweb\n")
        let keys = try runLocket(["---completion", "get", "--", "positional@1", "5", "1",
                                  "locket", "get", "--socket", cli.socket, "app", "k"])
        expectGolden(keys, status: 0, stdout: "k1\nk2\n")
    }
}
