import CSodium

/// Argon2id cost limits, stored beside whatever they protect so a later
/// change of defaults still opens older files.
public struct Argon2Limits: Sendable, Equatable, Codable {
    /// Passes over memory (libsodium's `opslimit`).
    public var operations: UInt64
    /// Memory in bytes (libsodium's `memlimit`).
    public var memoryBytes: UInt64

    public init(operations: UInt64, memoryBytes: UInt64) {
        self.operations = operations
        self.memoryBytes = memoryBytes
    }

    /// libsodium's MODERATE limits (3 passes, 256 MiB): the default for a vault passphrase.
    public static let moderate = Argon2Limits(
        operations: UInt64(crypto_pwhash_OPSLIMIT_MODERATE), memoryBytes: UInt64(crypto_pwhash_MEMLIMIT_MODERATE))
    /// libsodium's INTERACTIVE limits (2 passes, 64 MiB).
    public static let interactive = Argon2Limits(
        operations: UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE), memoryBytes: UInt64(crypto_pwhash_MEMLIMIT_INTERACTIVE))
}

/// Argon2id (v1.3) from a passphrase to a 32-byte key in guarded memory.
public enum PassphraseKDF {
    /// Salt length in bytes.
    public static let saltBytes = Int(crypto_pwhash_SALTBYTES)

    /// Derives a key from `passphrase` and `salt` with `limits`.
    public static func deriveKey(
        passphrase: UnsafeRawBufferPointer, salt: [UInt8], limits: Argon2Limits
    ) throws(CryptoError) -> SecureKey {
        Sodium.ensure()
        guard passphrase.count > 0, let passphraseBase = passphrase.baseAddress else {
            throw .malformedInput("the passphrase is empty")
        }
        guard salt.count == saltBytes else { throw .malformedInput("salt must be \(saltBytes) bytes") }
        return try SecureKey(count: 32) { (out) throws(CryptoError) in
            let rc = salt.withUnsafeBytes { s in
                crypto_pwhash(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32,
                    passphraseBase.assumingMemoryBound(to: CChar.self), UInt64(passphrase.count),
                    s.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    limits.operations, Int(limits.memoryBytes), crypto_pwhash_ALG_ARGON2ID13)
            }
            if rc != 0 { throw .passphraseHashingFailed }
        }
    }

    /// Convenience for a passphrase held as a byte array.
    public static func deriveKey(passphrase: [UInt8], salt: [UInt8], limits: Argon2Limits) throws(CryptoError) -> SecureKey {
        try passphrase.withBytes { (p) throws(CryptoError) in try deriveKey(passphrase: p, salt: salt, limits: limits) }
    }
}
