// Exit codes that need no vault: usage errors (2) and no daemon (4).
import Foundation
import LocketTestSupport
import Testing

@Suite("usage errors and an absent daemon")
struct UsageAndReachTests {
    /// One valid invocation of every subcommand.
    static let everySubcommand: [[String]] = [
        ["put", "app", "k", "1"], ["get", "app", "k"], ["delete", "app", "k"], ["list"], ["status"],
        ["lock"], ["unlock"], ["rotate"], ["watch"], ["ping"],
    ]

    @Test("no daemon: every subcommand exits 4 within 1 s with the message and how to start it",
          arguments: everySubcommand)
    func noDaemon(arguments: [String]) throws {
        let folder = TemporaryFolder("locket-cli")
        let socket = folder.appending("locket.sock")
        var command = arguments
        command.insert(contentsOf: ["--socket", socket], at: 1)
        let fastest = try Timing.fastest(under: 1) {
            let result = try runLocket(command)
            expectGolden(result, status: 4,
                         stderr: "locket: locketd is not running (nothing listens on \(socket))\n" + startHint)
            return result.seconds
        }
        #expect(fastest < 1)
    }

    @Test("no daemon and no --socket: the default path is $XDG_RUNTIME_DIR/locket/locket.sock")
    func noDaemonDefaultPath() throws {
        let folder = TemporaryFolder("locket-cli")
        let result = try runLocket(["ping"], environment: cleanEnvironment(["XDG_RUNTIME_DIR": folder.path]))
        expectGolden(result, status: 4,
                     stderr: "locket: locketd is not running (nothing listens on \(folder.path)/locket/locket.sock)\n" + startHint)
    }

    @Test("invalid JSON is exit 2 even with no daemon (checked before connecting)")
    func invalidJSONBeforeConnecting() throws {
        let result = try runLocket(["put", "--socket", "/nonexistent/locket.sock", "app", "k", "{"])
        expectGolden(result, status: 2, stderr: "locket: invalid JSON value at byte 1: expected a member name\n")
    }

    @Test("usage errors exit 2 with one line on stderr", arguments: [
        (["frob"], "locket: unknown subcommand 'frob' (see 'locket --help')\n"),
        (["frob", "list"], "locket: unknown subcommand 'frob' (see 'locket --help')\n"),
        ([], "locket: missing a subcommand (see 'locket --help')\n"),
        (["--frob"], "locket: unknown option '--frob' (see 'locket --help')\n"),
        (["get", "app", "k", "--no-such-option"], "locket: unknown option '--no-such-option' (see 'locket get --help')\n"),
        (["get", "app", "k", "--jsn"], "locket: unknown option '--jsn'. Did you mean '--json'? (see 'locket get --help')\n"),
        (["get", "app"], "locket: missing expected argument '<key>' (see 'locket get --help')\n"),
        (["get", "app", "k", "extra"], "locket: unexpected argument 'extra' (see 'locket get --help')\n"),
        (["list", "--socket"], "locket: missing value for '--socket <path>' (see 'locket list --help')\n"),
        (["delete", "app", "k", "--if-version", "x"], "locket: the value 'x' is invalid for '--if-version <n>' (see 'locket delete --help')\n"),
        (["status", "extra"], "locket: unexpected argument 'extra' (see 'locket status --help')\n"),
    ])
    func usageErrors(arguments: [String], stderr: String) throws {
        expectGolden(try runLocket(arguments), status: 2, stderr: stderr)
    }

    @Test("--help prints the usage on stdout and exits 0")
    func help() throws {
        let result = try runLocket(["--help"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        for subcommand in ["put", "get", "delete", "list", "status", "lock", "unlock", "rotate", "watch", "ping"] {
            #expect(result.stdout.contains("\n  \(subcommand) "), "\(subcommand) in the help")
        }
        #expect(result.stdout.contains("Exit codes: 0 ok, 1 not found, 2 usage error, 3 vault locked,"))
        let put = try runLocket(["put", "--help"])
        #expect(put.status == 0)
        #expect(put.stdout.contains("USAGE: locket put [--socket <path>] <ns> <key> [<value>]"))
    }
}
