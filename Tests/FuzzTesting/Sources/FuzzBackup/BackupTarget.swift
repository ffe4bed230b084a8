import FuzzSupport
import Foundation
import LocketCrypto
@testable import LocketBackup

/// The backup file decoder (a file someone hands you). The first input byte
/// picks what the rest is:
/// - even: a whole file: `BackupHeader.parse`, then the chunked stream opened
///   with the key of the passphrase `passphrase` (`BackupCodec.openPlaintext`),
///   then the entries. The seeds are real backups sealed with that passphrase
///   at Argon2id's least limits, so mutations reach past the authentication.
/// - odd: a decrypted plaintext (whoever made the file knows its passphrase, so
///   any plaintext can arrive): `BackupCodec.entries(in:)`.
package enum BackupTarget {
    package static let passphrase = Array("locket-fuzz".utf8)
    package static let cheapest = Argon2Limits(operations: 1, memoryBytes: 8192)

    /// The last derived key, by salt and limits (libFuzzer mutates the rest far more often).
    nonisolated(unsafe) static var cachedKey: (salt: [UInt8], limits: Argon2Limits, key: SecureKey)?

    package static func run(_ input: UnsafeRawBufferPointer) {
        guard let mode = input.first else { return }
        let rest = Array(input.dropFirst())
        if mode & 1 == 1 {
            checkEntries(rest)
            return
        }
        let header: BackupHeader
        switch Result(catching: { () throws(BackupError) in try BackupHeader.parse(rest) }) {
        case .failure: return
        case .success(let parsed): header = parsed
        }
        guard Array(rest.prefix(BackupFormat.headerBytes)) == header.bytes else {
            Invariant.fail("backup: a parsed header does not write back as the same bytes")
        }
        // Argon2id runs only at small limits: larger ones are minutes of fuzzing per input.
        guard header.limits.operations <= 2, header.limits.memoryBytes <= 64 * 1024 else { return }
        let key: SecureKey
        if let cached = cachedKey, cached.salt == header.salt, cached.limits == header.limits {
            key = cached.key
        } else {
            switch Result(catching: { () throws(BackupError) in
                try BackupCodec.deriveKey(passphrase: passphrase, salt: header.salt, limits: header.limits)
            }) {
            case .failure: Invariant.fail("backup: Argon2id fails at small limits")
            case .success(let derived): key = derived
            }
            cachedKey = (header.salt, header.limits, key)
        }
        let opened = Result { () throws(BackupError) in try BackupCodec.openPlaintext(rest, header: header, key: key) }
        if case .success(let plaintext) = opened {
            checkEntries(plaintext)
        }
    }

    static func checkEntries(_ plaintext: [UInt8]) {
        let parsed = Result { () throws(BackupError) in try BackupCodec.entries(in: plaintext) }
        switch parsed {
        case .failure(let error):
            guard case .invalidContent = error else { Invariant.fail("backup: bad content is invalidContent") }
        case .success(let entries):
            var seen = Set<[String]>()
            for (index, entry) in entries.enumerated() {
                guard seen.insert([entry.ns, entry.key]).inserted else { Invariant.fail("backup: a name accepted twice") }
                let line = entry.jsonLine
                guard line.last == 0x0a else { Invariant.fail("backup: an entry line ends with a newline") }
                let again = Result { () throws(BackupError) in try BackupEntry.parse(line.dropLast(), number: index + 1) }
                guard case .success(let reparsed) = again, reparsed.ns == entry.ns, reparsed.key == entry.key,
                      reparsed.valueJSON == entry.valueJSON, reparsed.version == entry.version,
                      sameSecond(reparsed.createdAt, entry.createdAt), sameSecond(reparsed.updatedAt, entry.updatedAt),
                      (reparsed.expiresAt == nil) == (entry.expiresAt == nil),
                      sameSecond(reparsed.expiresAt ?? .distantPast, entry.expiresAt ?? .distantPast) else {
                    Invariant.fail("backup: an entry does not survive writing and reading back")
                }
            }
        }
    }

    /// Timestamps are written to the second; years outside 0000–9999 (an offset can
    /// push a parsed time there) are not written as the parser reads them.
    static func sameSecond(_ reparsed: Date, _ original: Date) -> Bool {
        let seconds = original.timeIntervalSince1970.rounded(.down)
        guard formattableSeconds.contains(seconds) else { return true }
        return reparsed.timeIntervalSince1970 == seconds
    }
}
