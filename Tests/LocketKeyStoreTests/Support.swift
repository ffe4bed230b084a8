import Foundation
import LocketCrypto
import LocketKeyStore
import Testing

/// Small file-system helpers for key store tests (tests run as root).
enum FS {
    /// Permission bits of `path` (lstat: a symlink is not followed).
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func chmod(_ path: String, _ mode: mode_t) throws {
        guard Glibc.chmod(path, mode) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }

    /// Gives `path` to uid/gid 65534 (nobody).
    static func chownToNobody(_ path: String) throws {
        guard Glibc.chown(path, 65534, 65534) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes `bytes` to `path` with `mode`, replacing it.
    static func write(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno)!) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw POSIXError(.EIO) }
        try chmod(path, mode)
    }
}

extension KeyStoreError {
    var isInsecureFile: Bool { if case .insecureFile = self { true } else { false } }
    var isMalformed: Bool { if case .malformed = self { true } else { false } }
    var isUnavailable: Bool { if case .unavailable = self { true } else { false } }
}

/// Runs `body` and returns the key store error it threw; a returned key or
/// another kind of error is recorded as an issue.
func keyStoreError<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) -> KeyStoreError? {
    do {
        _ = try body()
        Issue.record("expected a KeyStoreError, but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as KeyStoreError {
        return error
    } catch {
        Issue.record("expected a KeyStoreError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A key from a passphrase string (for stores that take the passphrase in guarded memory).
func passphraseKey(_ text: String) throws -> SecureKey {
    try Array(text.utf8).withUnsafeBytes { try SecureKey(copying: $0) }
}
