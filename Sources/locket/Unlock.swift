import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketClient
import LocketProtocol

/// `locket unlock`: fetches the master key from the key store again.
struct Unlock: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Unlock the vault.",
        discussion: """
            With the passphrase key store, the passphrase comes from --passphrase-file \
            (its first line), else from a prompt that does not echo when stdin is a \
            terminal, else from the first line of stdin. It is never printed.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .customLong("passphrase-file"),
            help: ArgumentHelp("Read the passphrase from the first line of this file.", valueName: "path"),
            completion: .file())
    var passphraseFile: String?

    func run() throws(Failure) {
        let client = connection.client()
        let status = try daemonCall { () throws(LocketError) in try client.status() }
        guard status.locked else { return }
        var passphrase: SecretBytes?
        if let passphraseFile {
            passphrase = try Passphrase.firstLine(ofFile: passphraseFile)
        } else if status.keyStore == "passphrase" {
            passphrase = isatty(0) == 1 ? try Passphrase.prompt() : try Passphrase.firstLineOfStandardInput()
        }
        defer { passphrase?.wipe() }
        if let passphrase {
            try daemonCall { () throws(LocketError) in try client.unlock(passphrase: passphrase) }
        } else {
            try daemonCall { () throws(LocketError) in try client.unlock() }
        }
    }
}
