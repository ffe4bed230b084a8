// `locket status`, `lock`, `unlock`, `rotate`, `ping`, and how the socket is chosen.
import Foundation
import LocketTestSupport
import Testing

@Suite("status, lock, unlock, rotate, ping, socket")
struct DaemonControlTests {
    static let notice = "the master key is kept in a key file in <dir>/data: anyone who can read that file and the vault can open every session"

    @Test("status prints readable lines")
    func status() throws {
        let cli = try CLI()
        try cli.put("app", "k", "1")
        cli.expect(try cli.run("status"), status: 0, stdout: """
            state:     unlocked
            key store: file
            protects:  other users only: a copy of the data folder (backup, disk image) opens every session
            notice:    \(Self.notice)
            entries:   1
            version:   0.1.0
            uptime:    <uptime>
            audit:     on, 0 entries dropped

            """)
    }

    @Test("status --json prints every field, absent ones as null")
    func statusJSON() throws {
        let cli = try CLI()
        cli.expect(try cli.run("status", "--json"), status: 0, stdout: """
            {"locked":false,"lock_reason":null,"key_store":"file","key_store_notice":"\(Self.notice)","entries":0,"version":"0.1.0","uptime_s":<uptime>,"audit":true,"audit_dropped":0}

            """)
    }

    @Test("lock: get exits 3 with the reason; status says locked; unlock: get works again")
    func lockThenUnlock() throws {
        let cli = try CLI()
        try cli.put("app", "k", #"{"a":1}"#)
        cli.expect(try cli.run("lock"), status: 0)
        let locked = "locket: vault is locked: locked on request; unlock it with `locket unlock`\n"
        cli.expect(try cli.run("get", "app", "k"), status: 3, stderr: locked)
        cli.expect(try cli.run("put", "app", "k", "2"), status: 3, stderr: locked)
        cli.expect(try cli.run("list"), status: 3, stderr: locked)
        cli.expect(try cli.run("status"), status: 0, stdout: """
            state:     locked
            reason:    locked on request; unlock it with `locket unlock`
            key store: file
            protects:  other users only: a copy of the data folder (backup, disk image) opens every session
            notice:    \(Self.notice)
            entries:   1
            version:   0.1.0
            uptime:    <uptime>
            audit:     on, 0 entries dropped

            """)
        cli.expect(try cli.run("status", "--json"), status: 0, stdout: """
            {"locked":true,"lock_reason":"locked on request; unlock it with `locket unlock`","key_store":"file","key_store_notice":"\(Self.notice)","entries":1,"version":"0.1.0","uptime_s":<uptime>,"audit":true,"audit_dropped":0}

            """)
        cli.expect(try cli.run("lock"), status: 0)
        cli.expect(try cli.run("unlock"), status: 0)
        cli.expect(try cli.run("get", "app", "k"), status: 0, stdout: #"{"a":1}"# + "\n")
        cli.expect(try cli.run("unlock"), status: 0)
    }

    @Test("unlock --passphrase-file reads the file and prints nothing of it; a missing file exits 2")
    func unlockPassphraseFile() throws {
        let cli = try CLI()
        let folder = TemporaryFolder("locket-cli")
        let path = folder.appending("passphrase")
        try Data("correct horse battery staple\nsecond line\n".utf8).write(to: URL(fileURLWithPath: path))
        cli.expect(try cli.run("lock"), status: 0)
        cli.expect(try cli.run("unlock", "--passphrase-file", folder.appending("none")), status: 2,
                   stderr: "locket: cannot read \(folder.appending("none")): No such file or directory\n")
        // The file key store ignores the passphrase; what matters is that it is never printed.
        cli.expect(try cli.run("unlock", "--passphrase-file", path), status: 0)
        cli.expect(try cli.run("ping"), status: 0, stdout: "pong\n")
        #expect(!cli.daemon.log.contains("horse"))
    }

    @Test("rotate prints how many entries were re-wrapped; the values still read")
    func rotate() throws {
        let cli = try CLI()
        cli.expect(try cli.run("rotate"), status: 0, stdout: "rotated: 0 entries re-wrapped\n")
        try cli.put("app", "a", "1")
        try cli.put("app", "b", #""two""#)
        cli.expect(try cli.run("rotate"), status: 0, stdout: "rotated: 2 entries re-wrapped\n")
        cli.expect(try cli.run("get", "app", "b"), status: 0, stdout: "\"two\"\n")
        cli.expect(try cli.run("lock"), status: 0)
        cli.expect(try cli.run("rotate"), status: 3,
                   stderr: "locket: vault is locked: locked on request; unlock it with `locket unlock`\n")
    }

    @Test("ping prints pong")
    func ping() throws {
        let cli = try CLI()
        cli.expect(try cli.run("ping"), status: 0, stdout: "pong\n")
    }

    @Test("without --socket, LOCKET_SOCKET names the socket; --socket wins over it")
    func socketFromEnvironment() throws {
        let cli = try CLI()
        let environment = cleanEnvironment(["LOCKET_SOCKET": cli.socket])
        cli.expect(try runLocket(["put", "app", "k", "7"], environment: environment), status: 0)
        cli.expect(try runLocket(["get", "app", "k"], environment: environment), status: 0, stdout: "7\n")
        cli.expect(try runLocket(["ping"], environment: environment), status: 0, stdout: "pong\n")
        let elsewhere = cleanEnvironment(["LOCKET_SOCKET": cli.daemon.folder.appending("nothing.sock")])
        cli.expect(try runLocket(["get", "--socket", cli.socket, "app", "k"], environment: elsewhere), status: 0, stdout: "7\n")
        cli.expect(try runLocket(["get", "app", "k"], environment: elsewhere), status: 4,
                   stderr: "locket: locketd is not running (nothing listens on <dir>/nothing.sock)\n" + startHint)
    }
}
