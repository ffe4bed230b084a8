// `locket export` and `locket import` against real daemons and real files.
import Foundation
import LocketTestSupport
import Testing

@Suite("export and import")
struct BackupTests {
    static let big = "\"" + String(repeating: "b", count: 256 * 1024 - 2) + "\""

    /// A source vault with values of every JSON type, unicode names, ttls and a 256 KiB value.
    private func sourceVault(_ folder: BackupFolder) throws -> CLI {
        let cli = try CLI()
        try cli.put("app", "session", #"{"idToken":"eyJ.secret-token","n":[1,2.5,null,true,{"x":"y"}]}"#)
        try cli.put("app", "refresh", #""rt-0123456789""#, "--ttl", "3600")
        #expect(try cli.run("put", "mail", "ключ ✉", "--", "-42.5e3").status == 0)
        try cli.put("mail", "flag", "false", "--ttl", "600")
        try cli.put("web", "null", "null")
        try folder.write("big.json", Array(Self.big.utf8))
        let put = try cli.run("put", "big", "value", "--file", folder.path("big.json"))
        #expect(put.status == 0, "\(put.stderr)")
        return cli
    }

    @Test("export -> new vault -> import: every entry equal (exact value, expires_at within 1 s); the file is 0600 and opaque")
    func roundTrip() throws {
        let folder = try BackupFolder()
        let source = try sourceVault(folder)
        let exported = try source.export(to: folder, "vault.lkb")
        #expect(exported.stderr == "export: 6 entries sealed into \(folder.path("vault.lkb"))\n")
        #expect(exported.stdout.isEmpty)

        var info = stat()
        #expect(stat(folder.path("vault.lkb"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let file = try folder.bytes("vault.lkb")
        #expect(file.count > 256 * 1024)
        // Needles of 7 bytes or more: the file is 256 KiB of ciphertext, where a given
        // 3-byte string turns up by chance once in ~64 files ("app" and "eyJ" did
        // make this test fail by chance about 3 % of the time), a 7-byte one once in 2^38.
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(11))   // "YYYY-MM-DDT"
        for needle in [#""ns":"app""#, #""ns":"mail""#, #""key":"session""#, "session", "refresh", "eyJ.secret-token",
                       "secret-token", "rt-0123456789", "ключ ✉", "bbbbbbbb", "-42.5e3", "idToken", "created_at", today,
                       BackupFolder.passphrase] {
            #expect(!bytes(file, contain: needle), "the file contains \(needle)")
        }

        let target = try CLI()  // a new daemon on a new data folder
        let imported = try target.importing(folder, "vault.lkb")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr == "import: 6 written, 0 kept newer, 0 skipped expired, 0 conflicts\n")
        #expect(try target.names() == source.names())
        for name in try source.names() {
            let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
            #expect(try target.value(parts[0], parts[1]) == source.value(parts[0], parts[1]), "value of \(name)")
            let before = try source.entry(parts[0], parts[1]), after = try target.entry(parts[0], parts[1])
            #expect((before["value"] as? NSObject)?.isEqual(after["value"]) == true, "value of \(name) as JSON")
            if let expires = seconds(before, "expires_at") {
                let restored = try #require(seconds(after, "expires_at"), "\(name) lost its expiry")
                #expect(abs(restored - expires) <= 1, "expires_at of \(name)")
            } else {
                #expect(after["expires_at"] is NSNull, "\(name) gained an expiry")
            }
            #expect(after["version"] as? Int == 1, "the target's own version")
        }
        #expect(!source.daemon.log.contains("secret-token") && !target.daemon.log.contains("secret-token"))
        #expect(!imported.stderr.contains("horse") && !exported.stderr.contains("horse"))
    }

    @Test("keep newer by default, --replace overwrites; entries only in the target are never touched")
    func mergeRules() throws {
        let folder = try BackupFolder()
        let target = try CLI()
        try target.put("app", "old", #""target-old""#)
        // Timestamps are whole seconds: the source's write must be in a later second.
        Thread.sleep(forTimeInterval: 1.2)
        let source = try CLI()
        try source.put("app", "old", #""backup-new""#)
        try source.put("app", "same", #""backup""#)
        try source.put("app", "only-backup", #""b""#)
        try source.export(to: folder, "b.lkb")
        try target.put("app", "same", #""target-newer""#)
        try target.put("app", "only-target", #""t""#)

        let first = try target.importing(folder, "b.lkb")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr == "import: 2 written, 1 kept newer, 0 skipped expired, 0 conflicts\n")
        #expect(try target.value("app", "old") == "\"backup-new\"\n")
        #expect(try target.value("app", "same") == "\"target-newer\"\n")
        #expect(try target.value("app", "only-backup") == "\"b\"\n")
        #expect(try target.value("app", "only-target") == "\"t\"\n")

        let again = try target.importing(folder, "b.lkb", "--json")
        #expect(again.status == 0)
        #expect(again.stdout == #"{"entries":3,"written":0,"kept_newer":3,"skipped_expired":0,"conflicts":0,"conflicted":[],"complete":true}"# + "\n")
        #expect(again.stderr.isEmpty)

        let replaced = try target.importing(folder, "b.lkb", "--replace")
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stderr == "import: 3 written, 0 kept newer, 0 skipped expired, 0 conflicts\n")
        #expect(try target.value("app", "same") == "\"backup\"\n")
        #expect(try target.value("app", "only-target") == "\"t\"\n")
        #expect(try target.entry("app", "same")["version"] as? Int == 2)
    }

    @Test("an entry that expired since the export is skipped")
    func expiredSkipped() throws {
        let folder = try BackupFolder()
        let source = try CLI()
        // A ttl long enough that a loaded machine still exports the entry (a 1 s ttl
        // could lapse before the export and make the test about something else),
        // then a wait until just past the moment the exported entry expires.
        try source.put("app", "short", "1", "--ttl", "5")
        try source.put("app", "long", "2")
        let expires = try #require(seconds(try source.entry("app", "short"), "expires_at"))
        let exported = try source.export(to: folder, "e.lkb", "--json")
        try #require(exported.stdout.hasPrefix(#"{"entries":2,"#), "the short entry lapsed before the export: \(exported.stdout)")
        let wait = expires + 1.1 - Date().timeIntervalSince1970
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        let target = try CLI()
        let result = try target.importing(folder, "e.lkb")
        #expect(result.stderr == "import: 1 written, 0 kept newer, 1 skipped expired, 0 conflicts\n")
        #expect(try target.names() == ["app/long"])
    }

    @Test("an empty vault exports to an 83-byte file that imports nothing")
    func emptyVault() throws {
        let folder = try BackupFolder()
        let source = try CLI()
        let exported = try source.export(to: folder, "empty.lkb", "--json")
        #expect(exported.stdout == #"{"entries":0,"vanished":0,"bytes":83}"# + "\n")
        #expect(try folder.bytes("empty.lkb").count == 83)
        let target = try CLI()
        try target.put("app", "k", "1")
        let imported = try target.importing(folder, "empty.lkb")
        #expect(imported.status == 0)
        #expect(imported.stderr == "import: 0 written, 0 kept newer, 0 skipped expired, 0 conflicts\n")
        #expect(try target.names() == ["app/k"])
    }

    @Test("export refuses to replace a file without --force; --force replaces it, still 0600")
    func noOverwrite() throws {
        let folder = try BackupFolder()
        let source = try CLI()
        try source.put("app", "k", "1")
        try folder.write("taken", Array("keep me".utf8))
        let refused = try source.runSlow("export", ["--out", folder.path("taken"), "--passphrase-file", folder.passphraseFile])
        #expect(refused.status == 2)
        #expect(refused.stderr == "locket: \(folder.path("taken")) exists; use --force to replace it\n")
        #expect(try folder.bytes("taken") == Array("keep me".utf8))
        chmod(folder.path("taken"), 0o644)
        try source.export(to: folder, "taken", "--force")
        var info = stat()
        #expect(stat(folder.path("taken"), &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try folder.bytes("taken").count > 83)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.folder.path).sorted() == ["passphrase", "taken"])
    }

    @Test("the passphrase may come from stdin; a wrong one is refused (exit 2) and never printed")
    func passphraseFromStandardInput() throws {
        let folder = try BackupFolder()
        let source = try CLI()
        try source.put("app", "k", "1")
        let exported = try source.runSlow("export", ["--out", folder.path("s.lkb")], input: "stdin pass phrase\n")
        #expect(exported.status == 0, "\(exported.stderr)")
        let target = try CLI()
        let wrong = try target.runSlow("import", [folder.path("s.lkb")], input: "stdin pass phrase!\n")
        #expect(wrong.status == 2)
        #expect(wrong.stderr == "locket: wrong passphrase, or the backup file was changed or damaged\n")
        #expect(try target.names().isEmpty)
        let right = try target.runSlow("import", [folder.path("s.lkb")], input: "stdin pass phrase\n")
        #expect(right.status == 0, "\(right.stderr)")
        #expect(!(exported.stderr + wrong.stderr + right.stderr + right.stdout).contains("pass phrase"))
        #expect(try target.names() == ["app/k"])
    }
}
