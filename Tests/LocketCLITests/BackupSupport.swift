// Helpers for the `locket export` / `locket import` tests.
import Foundation
import LocketTestSupport
import Testing

/// A folder for backup files and a passphrase file in it.
final class BackupFolder: Sendable {
    static let passphrase = "correct horse battery staple"
    let folder = TemporaryFolder("locket-backup")

    init() throws {
        try Data((Self.passphrase + "\n").utf8).write(to: URL(fileURLWithPath: passphraseFile))
    }

    var passphraseFile: String { folder.appending("passphrase") }

    func path(_ name: String) -> String { folder.appending(name) }

    func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path(name)))) }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    }
}

extension CLI {
    /// `locket SUBCOMMAND --socket S REST…` with time for Argon2id (256 MiB) on a loaded machine.
    func runSlow(_ subcommand: String, _ rest: [String], input: String? = nil) throws -> ProcessOutput {
        try Subprocess.run(locketBinary, [subcommand, "--socket", socket] + rest, environment: cleanEnvironment(),
                           input: input, timeout: 120)
    }

    /// Exports to `name` in `folder` with the passphrase file; expects success.
    @discardableResult
    func export(to folder: BackupFolder, _ name: String, _ extra: String...,
                sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessOutput {
        let result = try runSlow("export", ["--out", folder.path(name), "--passphrase-file", folder.passphraseFile] + extra)
        #expect(result.status == 0, "export: \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Imports `name` from `folder` with the passphrase file.
    func importing(_ folder: BackupFolder, _ name: String, _ extra: String...) throws -> ProcessOutput {
        try runSlow("import", [folder.path(name), "--passphrase-file", folder.passphraseFile] + extra)
    }

    /// `list --json` as text: the vault's names, versions and times.
    func listing() throws -> String {
        let result = try run("list", "--json")
        #expect(result.status == 0)
        return result.stdout
    }

    /// `get --json` parsed: value (as JSON), version and times.
    func entry(_ ns: String, _ key: String) throws -> [String: Any] {
        let result = try run("get", ns, key, "--json")
        #expect(result.status == 0, "get \(ns)/\(key): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed]) as? [String: Any] ?? [:]
    }

    /// The exact value text `get` prints.
    func value(_ ns: String, _ key: String) throws -> String {
        try run("get", ns, key).stdout
    }

    /// The names `list` shows, as "ns/key".
    func names() throws -> [String] {
        let items = try JSONSerialization.jsonObject(with: Data(try listing().utf8)) as? [[String: Any]] ?? []
        return items.map { "\($0["ns"] as? String ?? "")/\($0["key"] as? String ?? "")" }
    }
}

/// Whether `needle` occurs in `haystack`.
func bytes(_ haystack: [UInt8], contain needle: String) -> Bool {
    let needle = Array(needle.utf8)
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
}

/// Seconds since 1970 of a protocol timestamp member.
func seconds(_ object: [String: Any], _ member: String) -> Double? {
    guard let text = object[member] as? String else { return nil }
    let formatter = ISO8601DateFormatter()
    return formatter.date(from: text)?.timeIntervalSince1970
}
