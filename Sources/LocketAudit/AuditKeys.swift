import LocketCrypto

/// The audit log's keys. The engine does not derive them: their owner (the
/// vault, which derives them from its index key, so that only the master
/// key's holder has them) hands them over.
public final class AuditKeys: Sendable {
    /// Public half of the sealing pair: segment keys are sealed to it. Kept
    /// plainly by the vault so a daemon that starts locked can still seal new segments.
    public let publicKey: [UInt8]
    /// Opens segment keys (reading only).
    let secretKey: SecureKey
    /// Keys the hashes of key names. Used for every audit batch, so it should be
    /// read-only while held (no page toggling).
    let hashKey: SecureKey
    /// Segment keys opened by reads with these keys, kept for the next read.
    let segmentKeys = AuditSegmentKeys()

    /// The keys of one vault's log: the sealing pair and the key-name hash key.
    public init(publicKey: [UInt8], secretKey: SecureKey, hashKey: SecureKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.hashKey = hashKey
    }

    /// The key hash of a key name: keyed BLAKE2b, first 16 bytes, hex. Stable
    /// for a vault across restarts and rotations.
    static func keyHash(_ key: String, hashKey: SecureKey) -> String {
        hashKey.withUnsafeBytes { keyHash(key, rawHashKey: $0) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The same under a borrowed hash key.
    static func keyHash(_ key: String, rawHashKey: UnsafeRawBufferPointer) -> String {
        var name = key
        let digest = name.withUTF8 { utf8 in
            withUnsafeBytes(of: UInt8(0x61)) { LookupHash.hash($0, UnsafeRawBufferPointer(utf8), rawKey: rawHashKey) } // "a": apart from lookup ids
        }
        return String(unsafeUninitializedCapacity: 32) { text in
            for (index, byte) in digest.prefix(16).enumerated() {
                text[2 * index] = hexDigits[Int(byte >> 4)]
                text[2 * index + 1] = hexDigits[Int(byte & 0xf)]
            }
            return 32
        }
    }
}
