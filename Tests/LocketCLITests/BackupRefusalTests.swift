// A bad backup file imports nothing: the whole file is checked before any write.
import Foundation
import LocketTestSupport
import Testing

@Suite("import refuses a bad backup and writes nothing")
struct BackupRefusalTests {
    /// A target with entries of its own, and a backup of several chunks (a 256 KiB value) from another vault.
    private func setUp() throws -> (folder: BackupFolder, target: CLI, file: [UInt8]) {
        let folder = try BackupFolder()
        let source = try CLI()
        try source.put("app", "a", #""from-backup""#)
        try folder.write("big.json", Array(BackupTests.big.utf8))
        #expect(try source.run("put", "big", "value", "--file", folder.path("big.json")).status == 0)
        try source.put("zz", "last", #""last entry""#)
        try source.export(to: folder, "good.lkb")
        let target = try CLI()
        try target.put("app", "a", #""target""#)
        try target.put("keep", "me", "1")
        return (folder, target, try folder.bytes("good.lkb"))
    }

    /// Imports `bytes` and expects exit 2, `message` on stderr, and the target as it was.
    private func expectRefused(_ bytes: [UInt8], _ message: String, folder: BackupFolder, target: CLI,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try target.listing()
        try folder.write("bad.lkb", bytes)
        let result = try target.importing(folder, "bad.lkb", "--replace")
        #expect(result.status == 2, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr == "locket: \(message)\n", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(try target.listing() == before, "the target changed", sourceLocation: sourceLocation)
        #expect(try target.value("app", "a") == "\"target\"\n", sourceLocation: sourceLocation)
    }

    @Test("wrong passphrase; flipped byte in the header, the middle, the final tag; truncated; appended chunk")
    func everyDamageRefused() throws {
        let (folder, target, file) = try setUp()
        let chunk = 65_553
        #expect(file.count > 66 + 4 * chunk)
        let wrongOrChanged = "wrong passphrase, or the backup file was changed or damaged"

        try folder.write("wrong-passphrase", Array("not the passphrase\n".utf8))
        let before = try target.listing()
        let wrong = try target.runSlow("import", [folder.path("good.lkb"), "--passphrase-file", folder.path("wrong-passphrase")])
        #expect(wrong.status == 2)
        #expect(wrong.stderr == "locket: \(wrongOrChanged)\n")
        #expect(try target.listing() == before)

        var salt = file
        salt[30] ^= 0x01
        try expectRefused(salt, wrongOrChanged, folder: folder, target: target)
        var middle = file
        middle[66 + 2 * chunk + 100] ^= 0x01
        try expectRefused(middle, "the backup file is damaged or was changed: chunk 3 does not authenticate (changed, reordered or cut)",
                          folder: folder, target: target)
        var tag = file
        tag[tag.count - 1] ^= 0x01
        try expectRefused(tag, "the backup file is damaged or was changed: chunk 5 does not authenticate (changed, reordered or cut)",
                          folder: folder, target: target)
        try expectRefused(Array(file.prefix(66 + 4 * chunk)), "the backup file is damaged or was changed: it is truncated (the final chunk is missing)",
                          folder: folder, target: target)
        try expectRefused(Array(file.dropLast(7)), "the backup file is damaged or was changed: chunk 5 does not authenticate (changed, reordered or cut)",
                          folder: folder, target: target)
        try expectRefused(file + Array(file[(66 + chunk)..<(66 + 2 * chunk)]),
                          "the backup file is damaged or was changed: chunk 5 does not authenticate (changed, reordered or cut)",
                          folder: folder, target: target)
    }

    @Test("not a backup, or a newer format version: refused before any passphrase is read")
    func notABackup() throws {
        let folder = try BackupFolder()
        let target = try CLI()
        try target.put("keep", "me", "1")
        try folder.write("text", Array("{\"ns\":\"a\"}\n".utf8))
        let text = try target.run("import", folder.path("text"))
        #expect(text.status == 2)
        #expect(text.stderr == "locket: not a Locket backup file\n")
        try folder.write("v9", [0x89, 0x4C, 0x4B, 0x42, 0x0D, 0x0A, 0x1A, 0x0A, 9] + [UInt8](repeating: 0, count: 100))
        let newer = try target.run("import", folder.path("v9"))
        #expect(newer.status == 2)
        #expect(newer.stderr == "locket: backup format version 9 is not supported by this locket (it reads version 1); update locket\n")
        let missing = try target.run("import", folder.path("absent"))
        #expect(missing.status == 2)
        #expect(missing.stderr == "locket: cannot read \(folder.path("absent")): No such file or directory\n")
        #expect(try target.names() == ["keep/me"])
    }

    @Test("a locked vault: export and import exit 3 before asking for a passphrase")
    func lockedVault() throws {
        let folder = try BackupFolder()
        let cli = try CLI()
        try cli.put("app", "k", "1")
        try cli.export(to: folder, "l.lkb")
        #expect(try cli.run("lock").status == 0)
        let exported = try cli.run("export", "--out", folder.path("other.lkb"))
        #expect(exported.status == 3)
        let locked = "locket: vault is locked: locked on request; unlock it with `locket unlock`\n"
        #expect(exported.stderr == locked)
        let imported = try cli.run("import", folder.path("l.lkb"))
        #expect(imported.status == 3)
        #expect(imported.stderr == locked)
        #expect(!FileManager.default.fileExists(atPath: folder.path("other.lkb")))
    }
}
