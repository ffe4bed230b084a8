import Foundation
import LocketBackup
import LocketCrypto

/// Argon2id limits small enough to keep unit tests fast (the CLI always uses MODERATE).
let fastLimits = Argon2Limits(operations: 1, memoryBytes: 8192)
let passphrase = Array("correct horse battery staple".utf8)

/// A few entries: unicode names, a string, an object, an expiry, and no expiry.
func sampleEntries() -> [BackupEntry] {
    let t = Date(timeIntervalSince1970: 1_795_000_000)
    return [
        BackupEntry(ns: "app", key: "session", valueJSON: Array(#"{"idToken":"eyJhbGciOi","n":[1,2.5,null,true]}"#.utf8),
                    version: 3, createdAt: t, updatedAt: t.addingTimeInterval(60), expiresAt: t.addingTimeInterval(3600)),
        BackupEntry(ns: "mail", key: "ключ \"quoted\" \\ slash", valueJSON: Array(#""plain text é""#.utf8),
                    version: 1, createdAt: t, updatedAt: t, expiresAt: nil),
        BackupEntry(ns: "x", key: "n", valueJSON: Array("-12.5e3".utf8), version: 7, createdAt: t, updatedAt: t, expiresAt: nil),
    ]
}

/// The error `body` throws, or nil when it returns.
func backupFailure<T>(_ body: () throws(BackupError) -> T) -> BackupError? {
    let result = Result { () throws(BackupError) in try body() }
    if case .failure(let error) = result { return error }
    return nil
}

/// Whether `needle` occurs in `haystack`.
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
}
