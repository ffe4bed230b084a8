// Issue 13, item 1: another uid must not collect what a client sends. Two
// real uids: an impostor (65534) listens where the victim's daemon would
// (the fallback /tmp/locket-UID/locket.sock, used when XDG_RUNTIME_DIR is
// unset), recording every byte; each client, run as the victim, refuses with
// exit 4 (the git helper: a warning, exit 0) and the impostor reads nothing.
// Each test has a victim uid of its own: they run in parallel.
import Foundation
import LocketTestSupport
import Testing

@Suite("Clients verify the daemon")
struct ImpostorSocketTests {
    static let passphrase = "impostor-must-not-see-this"
    static let gitPassword = "git-password-impostor-must-not-see"

    /// Runs every client as the victim against whatever listens on its fallback
    /// socket: each must refuse, naming `expected`, and send nothing.
    static func expectEveryClientRefuses(_ victim: Victim, _ impostor: Impostor, naming expected: String,
                                         backup: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let passphraseFile = try victim.file("passphrase", passphrase + "\n")
        var runs: [(String, ProcessOutput)] = [
            ("locket get", try victim.run("locket", ["get", "app", "account"])),
            ("locket put", try victim.run("locket", ["put", "app", "account", #"{"token":"t0ken"}"#])),
            ("locket unlock --passphrase-file", try victim.run("locket", ["unlock", "--passphrase-file", passphraseFile])),
            ("locket unlock (stdin)", try victim.run("locket", ["unlock"], input: passphrase + "\n")),
        ]
        if let backup {
            runs.append(("locket import", try victim.run("locket", ["import", backup, "--passphrase-file", passphraseFile], timeout: 120)))
        }
        for (name, result) in runs {
            #expect(result.status == 4, "\(name): exit \(result.status), stderr: \(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains(expected), "\(name): \(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains("nothing was sent"), "\(name): \(result.stderr)", sourceLocation: sourceLocation)
            #expect(!result.stderr.contains("start it with"), "\(name): no start hint: \(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stdout.isEmpty, "\(name): \(result.stdout)", sourceLocation: sourceLocation)
        }
        let credential = "protocol=https\nhost=example.com\nusername=ada\npassword=\(gitPassword)\n\n"
        for action in ["store", "get", "erase"] {
            let result = try victim.run("git-credential-locket", [action], input: credential)
            #expect(result.status == 0, "git \(action): \(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains("\(action) skipped"), "git \(action): \(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains(expected), "git \(action): \(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stdout.isEmpty, "git \(action): \(result.stdout)", sourceLocation: sourceLocation)
        }
        let received = impostor.received
        #expect(received.isEmpty, "the impostor received \(received.count) bytes", sourceLocation: sourceLocation)
    }

    /// A real backup file (for `locket import`), readable by anyone.
    static func backupFile(in folder: TemporaryFolder) throws -> String {
        let cli = try CLI()
        try cli.put("app", "account", #""backed up""#)
        let passphraseFile = folder.appending("backup-passphrase")
        try Data((passphrase + "\n").utf8).write(to: URL(fileURLWithPath: passphraseFile))
        let path = folder.appending("backup.locket")
        let exported = try cli.runSlow("export", ["--out", path, "--passphrase-file", passphraseFile])
        try #require(exported.status == 0, "export: \(exported.stderr)")
        chmod(folder.path, 0o755)
        chmod(path, 0o644)
        return path
    }

    @Test("the impostor pre-created the fallback folder (0777) and listens in it: every client refuses")
    func impostorOwnedFolder() throws {
        let victim = try Victim(uid: 61001)
        try #require(try Impostor.shell("mkdir \(victim.fallbackFolder) && chmod 0777 \(victim.fallbackFolder)").status == 0)
        let impostor = try Impostor(listeningOn: victim.fallbackSocket)
        let backups = TemporaryFolder("locket-backup")
        let backup = try Self.backupFile(in: backups)
        try Self.expectEveryClientRefuses(victim, impostor, naming: "\(victim.fallbackFolder) is owned by uid 65534, not you (uid 61001)",
                                          backup: backup)
    }

    @Test("the victim's own fallback folder with mode 0777 is refused")
    func openFolder() throws {
        let victim = try Victim(uid: 61002)
        try #require(mkdir(victim.fallbackFolder, 0o700) == 0)
        chown(victim.fallbackFolder, victim.uid, victim.uid)
        chmod(victim.fallbackFolder, 0o777)
        let impostor = try Impostor(listeningOn: victim.fallbackSocket)
        try Self.expectEveryClientRefuses(victim, impostor, naming: "\(victim.fallbackFolder) has mode 777")
    }

    @Test("a fallback folder that is a symbolic link (to the impostor's folder) is refused")
    func symbolicLinkFolder() throws {
        let victim = try Victim(uid: 61003)
        let impostor = try Impostor()
        try #require(try Impostor.shell("ln -s \(impostor.home) \(victim.fallbackFolder)").status == 0)
        try Self.expectEveryClientRefuses(victim, impostor, naming: "\(victim.fallbackFolder) is a symbolic link")
    }

    @Test("a socket in the victim's private folder whose listener is another uid is refused (SO_PEERCRED)")
    func anotherUidListening() throws {
        let victim = try Victim(uid: 61004)
        let impostor = try Impostor()
        // Only root can do this: the victim's 0700 folder, with the impostor's listening socket moved in.
        try #require(mkdir(victim.fallbackFolder, 0o700) == 0)
        chown(victim.fallbackFolder, victim.uid, victim.uid)
        try #require(rename(impostor.listenPath, victim.fallbackSocket) == 0)
        try Self.expectEveryClientRefuses(victim, impostor,
                                          naming: "the socket at \(victim.fallbackSocket) is owned by uid 65534, not you (uid 61004)")
    }

    @Test("the victim's daemon, started without XDG_RUNTIME_DIR, refuses the impostor's fallback folder and leaves it alone")
    func daemonRefusesTheImpostorsFolder() throws {
        let victim = try Victim(uid: 61006, binaries: ["locketd"])
        try #require(try Impostor.shell("mkdir \(victim.fallbackFolder) && chmod 0777 \(victim.fallbackFolder)").status == 0)
        let data = victim.home.appending("data")
        let result = try victim.run("locketd", ["--data-dir", data, "--key-store", "file"], timeout: 30)
        #expect(result.status != 0)
        #expect(result.stderr.contains(victim.fallbackFolder) && result.stderr.contains("owned by uid 65534"), "\(result.stderr)")
        var info = stat()
        #expect(lstat(victim.fallbackFolder, &info) == 0 && info.st_uid == Impostor.uid && info.st_mode & 0o777 == 0o777)
        #expect(lstat(victim.fallbackSocket, &info) != 0, "no socket was bound in the impostor's folder")
        #expect(lstat(data, &info) != 0, "refused before the vault was made")
    }

    @Test("the victim's own daemon on the fallback socket still serves every client")
    func ownDaemonWorks() throws {
        let victim = try Victim(uid: 61005, binaries: ["locket", "git-credential-locket", "locketd"])
        let asVictim = ["/usr/bin/setpriv", "--reuid=\(victim.uid)", "--regid=\(victim.uid)", "--clear-groups", "--",
                        "/bin/sh", "-c", #"shift; exec "$0" "$@""#, victim.binary("locketd")]
        let daemon = Daemon(socketPath: victim.fallbackSocket, launcher: asVictim)
        chmod(daemon.folder.path, 0o711)
        mkdir(daemon.dataDirectory, 0o700)
        chown(daemon.dataDirectory, victim.uid, victim.uid)
        try daemon.start()

        let put = try victim.run("locket", ["put", "app", "account", #"{"token":"t0ken"}"#])
        #expect(put.status == 0, "put: \(put.stderr)")
        let get = try victim.run("locket", ["get", "app", "account"])
        #expect(get.status == 0, "get: \(get.stderr)")
        #expect(get.stdout == "{\"token\":\"t0ken\"}\n")
        let unlock = try victim.run("locket", ["unlock"], input: "unused\n")
        #expect(unlock.status == 0, "unlock: \(unlock.stderr)")
        let store = try victim.run("git-credential-locket", ["store"], input: "protocol=https\nhost=example.com\nusername=ada\npassword=pw\n\n")
        #expect(store.status == 0 && store.stderr.isEmpty, "store: \(store.stderr)")
        let found = try victim.run("git-credential-locket", ["get"], input: "protocol=https\nhost=example.com\n\n")
        #expect(found.stdout.contains("password=pw\n"), "get: \(found.stdout) \(found.stderr)")
        #expect(try daemon.stop() == 0)
    }
}
