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

/// `locket import FILE`: restores a backup made by `locket export`.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore the entries of a backup file made by 'locket export'.",
        discussion: """
            The whole file is decrypted and checked first: with a wrong passphrase, or a \
            changed, truncated or extended file, nothing is written (exit 2). Then each \
            entry is written with 'put' and --if-version, so an entry changed meanwhile is \
            reported as a conflict (exit 5) and left as it is. By default an entry is \
            written only when this vault has no live entry under its name or the backup's \
            updated_at is later than this vault's; --replace writes every entry of the \
            backup. Entries this vault holds that the backup lacks are never touched. \
            Entries already expired are skipped. A written entry gets this vault's \
            version, created_at and updated_at (now); its expires_at is kept (as a ttl \
            rounded up to the second). A summary goes to stderr (or, with --json, to stdout). \
            The passphrase comes from --passphrase-file (its first line), else from a \
            prompt that does not echo when stdin is a terminal, else from the first line \
            of stdin. It is never printed.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The backup file.", completion: .file())
    var file: String

    @Flag(help: "Write every entry of the backup, even over a newer one in this vault.")
    var replace = false

    @Option(name: .customLong("passphrase-file"),
            help: ArgumentHelp("Read the passphrase from the first line of this file.", valueName: "path"),
            completion: .file())
    var passphraseFile: String?

    @Flag(help: "Print the summary as JSON on stdout: entries, written, kept_newer, skipped_expired, conflicts, conflicted.")
    var json = false

    func run() throws(Failure) {
        let bytes = try ValueInput.readFile(file)
        // Not a backup, or a version this locket cannot read: say so before asking for a passphrase.
        _ = try backupCall { () throws(BackupError) in try BackupHeader.parse(bytes) }
        let client = connection.client()
        try requireUnlocked(client)
        let secret = try Passphrase.forBackup(file: passphraseFile, confirm: false)
        defer { secret.wipe() }
        // BackupCodec takes an array: this one is ours alone, so it is zeroed in place.
        var passphrase = secret.withUnsafeBytes { Array($0) }
        defer { secureZero(&passphrase) }
        let entries = try backupCall { () throws(BackupError) in try BackupCodec.open(bytes, passphrase: passphrase) }
        let mode: BackupImport.MergeMode = replace ? .replace : .keepNewer
        let applied = Result { () throws(BackupImport.Interrupted) in try BackupImport.apply(entries, to: client, mode: mode) }
        switch applied {
        case .success(let summary):
            report(summary)
            if !summary.conflicts.isEmpty {
                let count = summary.conflicts.count
                throw Failure(.conflict, "\(count) \(count == 1 ? "entry" : "entries") changed during the import and \(count == 1 ? "was" : "were") left as \(count == 1 ? "it is" : "they are")")
            }
        case .failure(let interrupted):
            report(interrupted.summary, stopped: true)
            throw Failure(interrupted.error)
        }
    }

    private func report(_ summary: BackupImport.Summary, stopped: Bool = false) {
        if json {
            Output.standardOutput(jsonLine { writer in
                writer.object { object in
                    object.int("entries", summary.entries)
                    object.int("written", summary.written)
                    object.int("kept_newer", summary.keptNewer)
                    object.int("skipped_expired", summary.skippedExpired)
                    object.int("conflicts", summary.conflicts.count)
                    object.objects("conflicted", summary.conflicts) { item, name in
                        item.string("ns", name.ns)
                        item.string("key", name.key)
                    }
                    object.bool("complete", !stopped)
                }
            })
            return
        }
        for name in summary.conflicts {
            Output.standardError("import: conflict: \(Printable.escape("\(name.ns)/\(name.key)")) changed during the import; left as it is\n")
        }
        let counts = "\(summary.written) written, \(summary.keptNewer) kept newer, \(summary.skippedExpired) skipped expired, \(summary.conflicts.count) conflicts"
        Output.standardError(stopped ? "import: stopped early; so far \(counts)\n" : "import: \(counts)\n")
    }
}
