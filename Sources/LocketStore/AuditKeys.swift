import LocketCrypto

/// The audit log's keys, all derived from the vault's index key (random per
/// vault, wrapped under the master key): so only the master key's holder can
/// derive them, and a master-key rotation (which re-wraps the index key and
/// keeps it) keeps every old segment readable without re-sealing anything.
final class AuditKeys: Sendable {
    /// Public half of the sealing pair; stored plainly in the vault's meta so a
    /// daemon that starts locked can still seal new segments to it.
    let publicKey: [UInt8]
    /// Opens segment keys.
    let secretKey: SecureKey
    /// Keys the hashes of key names. Used for every audit batch, so read-only
    /// while held (no page toggling); the secret key is used only to read the log.
    let hashKey: SecureKey

    init(index: SecureKey) throws(CryptoError) {
        let seed = try KeyDerivation.derive(.auditSeal, from: index)
        (publicKey, secretKey) = try SealedBox.keyPair(seed: seed)
        hashKey = try KeyDerivation.derive(.auditKeyHash, from: index, protection: .readableWhileHeld)
    }

    /// The key hash of a key name: keyed BLAKE2b, first 16 bytes, hex. Stable
    /// for a vault across restarts and rotations.
    static func keyHash(_ key: String, hashKey: SecureKey) -> String {
        hashKey.withUnsafeBytes { keyHash(key, rawHashKey: $0) }
    }

    /// The same under a borrowed hash key.
    static func keyHash(_ key: String, rawHashKey: UnsafeRawBufferPointer) -> String {
        let digest = LookupHash.hash([0x61] + Array(key.utf8), rawKey: rawHashKey) // "a": apart from lookup ids
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(32)
        for byte in digest.prefix(16) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
