// `locket unlock` with the passphrase key store, against the real locketd:
// the daemon creates the vault from `--passphrase-file`, then the tests lock
// it (or restart it without the passphrase) and unlock it through the CLI.
import Foundation
import LocketTestSupport
import Testing

@Suite("unlock with a passphrase")
struct PassphraseTests {
    static let passphrase = "correct horse battery staple"

    /// A daemon holding a passphrase vault with one entry, locked with `locket lock`.
    private func lockedPassphraseDaemon() throws -> (Daemon, TemporaryFolder) {
        let secrets = TemporaryFolder("locket-cli-pass")
        let file = secrets.appending("passphrase")
        try Data((Self.passphrase + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let daemon = Daemon(arguments: ["--passphrase-file", file])
        // The fixture passes --key-store file; the later option wins.
        daemon.extraArguments += ["--key-store", "passphrase"]
        try daemon.start()
        let socket = daemon.socketPath
        expectGolden(try runLocket(["put", "--socket", socket, "app", "k", #"{"t":1}"#]), status: 0)
        expectGolden(try runLocket(["lock", "--socket", socket]), status: 0)
        return (daemon, secrets)
    }

    @Test("the passphrase is the first line of stdin when stdin is not a terminal; nothing is printed")
    func passphraseFromStandardInput() throws {
        let (daemon, _) = try lockedPassphraseDaemon()
        let socket = daemon.socketPath
        let locked = try runLocket(["get", "--socket", socket, "app", "k"])
        #expect(locked.status == 3)
        expectGolden(try runLocket(["unlock", "--socket", socket], input: Self.passphrase + "\nsecond line\n"), status: 0)
        expectGolden(try runLocket(["get", "--socket", socket, "app", "k"]), status: 0, stdout: "{\"t\":1}\n")
        #expect(!daemon.log.contains("horse"))
    }

    @Test("--passphrase-file: its first line (without \\r\\n) is the passphrase")
    func passphraseFromFile() throws {
        let (daemon, secrets) = try lockedPassphraseDaemon()
        let path = secrets.appending("typed")
        try Data((Self.passphrase + "\r\nmore\n").utf8).write(to: URL(fileURLWithPath: path))
        expectGolden(try runLocket(["unlock", "--socket", daemon.socketPath, "--passphrase-file", path]), status: 0)
        expectGolden(try runLocket(["get", "--socket", daemon.socketPath, "app", "k"]), status: 0, stdout: "{\"t\":1}\n")
    }

    @Test("a wrong passphrase exits 3 (locked) and the vault stays locked")
    func wrongPassphrase() throws {
        let (daemon, _) = try lockedPassphraseDaemon()
        let result = try runLocket(["unlock", "--socket", daemon.socketPath], input: "Tr0ub4dor&3\n")
        #expect(result.status == 3)
        #expect(result.stderr.contains("wrong passphrase"))
        #expect(!result.stderr.contains("Tr0ub4dor"))
        #expect(try runLocket(["get", "--socket", daemon.socketPath, "app", "k"]).status == 3)
    }

    @Test("a daemon restarted without the passphrase starts locked; unlock opens it")
    func restartedLocked() throws {
        let (daemon, _) = try lockedPassphraseDaemon()
        #expect(try daemon.stop() == 0)
        daemon.extraArguments = ["--key-store", "passphrase"]
        try daemon.start()
        let status = try runLocket(["status", "--socket", daemon.socketPath, "--json"])
        #expect(status.stdout.contains(#""locked":true"#))
        expectGolden(try runLocket(["unlock", "--socket", daemon.socketPath], input: Self.passphrase + "\n"), status: 0)
        expectGolden(try runLocket(["get", "--socket", daemon.socketPath, "app", "k"]), status: 0, stdout: "{\"t\":1}\n")
    }

    @Test("an empty passphrase is a usage error and is not sent")
    func emptyPassphrase() throws {
        let (daemon, _) = try lockedPassphraseDaemon()
        expectGolden(try runLocket(["unlock", "--socket", daemon.socketPath], input: "\n"), status: 2,
                     stderr: "locket: no passphrase: stdin gave an empty one\n")
        #expect(try runLocket(["get", "--socket", daemon.socketPath, "app", "k"]).status == 3)
    }
}
