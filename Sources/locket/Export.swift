import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketBackup
import LocketClient
import LocketCrypto
import LocketProtocol

/// `locket export --out FILE`: every live entry, sealed under a passphrase.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every live entry to a backup file sealed under a passphrase.",
        discussion: """
            The file (format: Protocol/BACKUP.md) holds each entry's namespace, key, value \
            and times, encrypted with XChaCha20-Poly1305 under a key from the passphrase \
            (Argon2id, 3 passes, 256 MiB); nothing in it is readable without the passphrase. \
            It is created 0600 and never replaces an existing file without --force. \
            The passphrase comes from --passphrase-file (its first line), else from a \
            prompt that does not echo, asked twice, when stdin is a terminal, else from \
            the first line of stdin. It is never printed. \
            Entries are read one by one, not as one snapshot. Namespaces whose access rule does \
            not allow locket are left out (locket list does not see them), with a warning.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("The backup file to write.", valueName: "file"), completion: .file())
    var out: String

    @Flag(help: "Replace the file if it exists.")
    var force = false

    @Option(name: .customLong("passphrase-file"),
            help: ArgumentHelp("Read the passphrase from the first line of this file.", valueName: "path"),
            completion: .file())
    var passphraseFile: String?

    @Flag(help: "Print the result as JSON on stdout: {\"entries\":…,\"vanished\":…,\"bytes\":…} (and \"ruled_out\": namespaces an access rule kept from locket).")
    var json = false

    func run() throws(Failure) {
        if !force, FileManager.default.fileExists(atPath: out) {
            throw Failure(BackupError.exists(path: out))
        }
        let client = connection.client()
        try requireUnlocked(client)
        let secret = try Passphrase.forBackup(file: passphraseFile, confirm: true)
        defer { secret.wipe() }
        // BackupCodec takes an array: this one is ours alone, so it is zeroed in place.
        var passphrase = secret.withUnsafeBytes { Array($0) }
        defer { secureZero(&passphrase) }
        let collected = try daemonCall { () throws(LocketError) in try BackupExport.collect(from: client) }
        let ruledOut = RuledOut.namespaces(client)
        let file = try backupCall { () throws(BackupError) in try BackupCodec.seal(collected.entries, passphrase: passphrase) }
        try backupCall { () throws(BackupError) in try BackupFileWriter.write(file, to: out, overwrite: force) }
        if json {
            Output.standardOutput(jsonLine { writer in
                writer.object { object in
                    object.int("entries", collected.entries.count)
                    object.int("vanished", collected.vanished)
                    object.int("bytes", file.count)
                    if !ruledOut.isEmpty { object.strings("ruled_out", ruledOut) }
                }
            })
            return
        }
        var line = "export: \(collected.entries.count) \(collected.entries.count == 1 ? "entry" : "entries") sealed into \(out)"
        if collected.vanished > 0 { line += " (\(collected.vanished) deleted or expired while they were read)" }
        Output.standardError(line + "\n")
        if !ruledOut.isEmpty {
            Output.standardError("export: left out \(ruledOut.count) namespace(s) whose access rule does not allow locket: "
                + Printable.escape(ruledOut.joined(separator: ", ")) + " (to include them: locket allow NS locket)\n")
        }
    }
}
