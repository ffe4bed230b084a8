import ArgumentParser
import Foundation
import LocketCrypto
import LocketKeyStore
import LocketStore

/// Seals a login session into a vault, reads it back, and shows what is on disk.
///
/// This is the store layer on its own, before the daemon exists: the same
/// flow an app follows (save a session after login, resume it on the next
/// start, fall back to login when it is missing or expired).
@main
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locket-demo",
        abstract: "Seal a session into a Locket vault, resume it, and prove nothing readable is on disk.")

    @Option(help: "Data folder of the vault (default: a new temporary folder, removed afterwards).")
    var dataDir: String?

    @Option(help: "Where the master key lives: auto, secret-service, file, passphrase or tpm2.")
    var keyStore: String = "auto"

    @Option(help: "File whose first line is the passphrase (passphrase key store).")
    var passphraseFile: String?

    @Option(help: "Seconds the demo session stays valid.")
    var ttl: Int = 3600

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    mutating func run() throws {
        TPM2KeyStore.quietLibraryLogging()
        ProcessHygiene.apply()
        guard let choice = KeyStoreChoice(rawValue: keyStore) else {
            throw ValidationError("--key-store must be one of: \(KeyStoreChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let folder = dataDir ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("locket-demo-\(UUID().uuidString.prefix(8))").path
        defer { if dataDir == nil { try? FileManager.default.removeItem(atPath: folder) } }

        let started = Date()
        let vault = try Vault.open(VaultConfiguration(
            dataDirectory: folder, keyStore: choice, passphrase: try readPassphrase(),
            argon2Limits: .interactive))
        let openSeconds = Date().timeIntervalSince(started)
        defer { vault.close() }
        if case .locked(let reason) = vault.state {
            throw ValidationError("the vault is locked: \(reason)")
        }

        // What an app saves after a login. The marker proves the token never reaches the disk in the clear.
        let marker = "demo-token-\(UUID().uuidString)"
        let session: [String: Any] = [
            "idToken": "eyJhbGciOiJFUzI1NiJ9.\(marker)",
            "accessToken": "at-\(marker)",
            "refreshToken": "rt-\(marker)",
            "expiresAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(Double(ttl))),
            "state": ["user": "ada", "theme": "dark"],
        ]
        let value = Array(try JSONSerialization.data(withJSONObject: session, options: [.sortedKeys]))
        let put = try vault.put(ns: "demo-app", key: "ada@example.com", value: value, ttl: ttl)
        let entry = try vault.get(ns: "demo-app", key: "ada@example.com")
        let resumed = entry.value == value
        let missing = Self.isMissing(vault, ns: "demo-app", key: "someone-else")
        let plaintextOnDisk = try FolderScan.contains(marker, in: folder)

        let report = Report(
            dataDirectory: folder, vaultID: vault.vaultID.hex, keyStore: vault.keyStoreKind.rawValue,
            keyStoreNotice: vault.keyStoreNotice, openSeconds: openSeconds, created: put.created, version: put.version,
            resumed: resumed, missingFallsBackToLogin: missing, plaintextOnDisk: plaintextOnDisk)
        print(json ? report.json : report.text)
        if !resumed || plaintextOnDisk || !missing { throw ExitCode.failure }
    }

    /// Resume or fall back: a missing session is `.notFound`, and the app shows its login.
    private static func isMissing(_ vault: Vault, ns: String, key: String) -> Bool {
        let result = Result { () throws(StoreError) in try vault.get(ns: ns, key: key) }
        if case .failure(.notFound) = result { return true }
        return false
    }

    private func readPassphrase() throws -> SecureKey? {
        try passphraseFile.map { path throws in try PassphraseFile.read(path) }
    }
}
