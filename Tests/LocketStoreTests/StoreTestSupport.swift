// Shared helpers of the store tests: a manual clock, a per-test vault folder,
// key-file and folder snapshots, and a raw SQLite probe.
import CSQLite
import Foundation
import LocketKeyStore
import LocketStore
import LocketSync
import LocketTestSupport
import Testing

/// A wall clock the test moves by hand. Starts on a whole second.
final class ManualClock: Sendable {
    private let current: Locked<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Locked(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The closure to hand to `VaultConfiguration(clock:)`.
    var function: @Sendable () -> Date { { [self] in now } }
}

/// One test's vault: a private temporary folder, its data folder and a manual clock.
final class VaultHarness: Sendable {
    let folder: TemporaryFolder
    let clock: ManualClock

    init(_ name: String = "locket-store") {
        folder = TemporaryFolder(name)
        clock = ManualClock()
    }

    /// The data folder (created by the vault, 0700).
    var dataDirectory: String { folder.appending("data") }
    var databasePath: String { "\(dataDirectory)/vault.sqlite" }

    func configuration(keyStore: KeyStoreChoice = .file) -> VaultConfiguration {
        VaultConfiguration(dataDirectory: dataDirectory, keyStore: keyStore, clock: clock.function)
    }

    func open(keyStore: KeyStoreChoice = .file) throws -> Vault {
        try Vault.open(configuration(keyStore: keyStore))
    }

    /// Opens the vault, runs `body`, then closes it (so the next open in this process works).
    func withVault<R>(keyStore: KeyStoreChoice = .file, _ body: (Vault) throws -> R) throws -> R {
        let vault = try open(keyStore: keyStore)
        defer { vault.close() }
        return try body(vault)
    }

    func keyPath(_ vault: VaultID, slot: KeySlot = .current) -> String {
        FileKeyStore(folder: dataDirectory).path(vault: vault, slot: slot)
    }
}

/// The UTF-8 bytes of a string (how the protocol hands the store a JSON value).
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A JSON string value of exactly `size` bytes of JSON text: `"aaa…"`.
func jsonString(ofSize size: Int) -> [UInt8] {
    precondition(size >= 2)
    return bytes("\"" + String(repeating: "a", count: size - 2) + "\"")
}

/// PutResult's fields, constructible in tests (PutResult's initializer is internal).
struct Put: Equatable {
    var created: Bool
    var version: Int
    var expiresAt: Date?
}

extension PutResult {
    var fields: Put { Put(created: created, version: version, expiresAt: expiresAt) }
}

/// EntryInfo's fields, constructible in tests.
struct Info: Equatable {
    var ns: String
    var key: String
    var version: Int
    var createdAt: Date
    var updatedAt: Date
    var expiresAt: Date?
}

extension EntryInfo {
    var fields: Info { Info(ns: ns, key: key, version: version, createdAt: createdAt, updatedAt: updatedAt, expiresAt: expiresAt) }
}

extension StoreError {
    var isInvalidName: Bool { if case .invalidName = self { true } else { false } }
    var isSetup: Bool { if case .setup = self { true } else { false } }
}

// MARK: - Files

/// File contents (key files, databases) that never print their bytes, only their size,
/// so a failing expectation cannot leak key material into the test log.
struct Blob: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomTestStringConvertible {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var description: String { "<\(bytes.count) bytes>" }
    var debugDescription: String { description }
    var testDescription: String { description }
}

enum Files {
    static func read(_ path: String) -> Blob? {
        FileManager.default.contents(atPath: path).map { Blob(Array($0)) }
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Writes `contents` to `path` (replacing it) with mode 0600.
    static func writePrivate(_ path: String, _ blob: Blob) throws {
        let contents = blob.bytes
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == contents.count, fchmod(fd, 0o600) == 0 else { throw POSIXError(.EIO) }
    }

    /// A fresh key in the file key store's format: "LOCKETK1" then 32 random bytes.
    static func randomKeyFile() -> Blob {
        var generator = SystemRandomNumberGenerator()
        return Blob(bytes("LOCKETK1") + (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Every regular file in `folder` (recursively) by relative path, with its bytes.
    static func snapshot(_ folder: String, excluding skip: (String) -> Bool = { _ in false }) -> [String: Blob] {
        var result: [String: Blob] = [:]
        guard let names = try? FileManager.default.subpathsOfDirectory(atPath: folder) else { return result }
        for name in names where !skip(name) {
            var isFolder: ObjCBool = false
            let path = "\(folder)/\(name)"
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            result[name] = read(path) ?? Blob([])
        }
        return result
    }

    static func contains(_ blob: Blob, _ needle: [UInt8]) -> Bool {
        let haystack = blob.bytes
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}

// MARK: - Raw SQLite

/// Reads a vault's database directly, as a thief with a copy of the folder would.
enum RawSQLite {
    /// The first column of the first row of `sql`.
    static func scalar(_ path: String, _ sql: String) throws -> Int64 {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            sqlite3_close(db)
            throw POSIXError(.EIO)
        }
        defer { sqlite3_close(db) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw POSIXError(.EINVAL) }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { throw POSIXError(.ENODATA) }
        return sqlite3_column_int64(statement, 0)
    }

    /// Creates a SQLite database at `path` with the given statements.
    static func create(_ path: String, _ sql: String) throws {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let db else {
            sqlite3_close(db)
            throw POSIXError(.EIO)
        }
        defer { sqlite3_close(db) }
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw POSIXError(.EINVAL) }
    }

    static func entryRows(_ databasePath: String) throws -> Int64 {
        try scalar(databasePath, "SELECT count(*) FROM entries")
    }
}

extension RawSQLite {
    /// Every row of `sql` as blobs (integers and NULLs come back as their text / empty).
    static func blobs(_ path: String, _ sql: String) throws -> [[[UInt8]]] {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            sqlite3_close(db)
            throw POSIXError(.EIO)
        }
        defer { sqlite3_close(db) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw POSIXError(.EINVAL) }
        defer { sqlite3_finalize(statement) }
        var rows: [[[UInt8]]] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            rows.append((0..<sqlite3_column_count(statement)).map { column in
                let count = Int(sqlite3_column_bytes(statement, column))
                guard count > 0, let base = sqlite3_column_blob(statement, column) else { return [] }
                return Array(UnsafeRawBufferPointer(start: base, count: count))
            })
        }
        return rows
    }

    /// Runs `sql` (edits, as an attacker with write access to the file would make them).
    static func execute(_ path: String, _ sql: String) throws {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let db else {
            sqlite3_close(db)
            throw POSIXError(.EIO)
        }
        defer { sqlite3_close(db) }
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw POSIXError(.EINVAL) }
    }

    /// A blob as an SQL literal, `X'…'`.
    static func literal(_ bytes: [UInt8]) -> String {
        "X'" + bytes.map { String(format: "%02x", $0) }.joined() + "'"
    }
}
