import CSodium

/// Keyed BLAKE2b: turns names into opaque, fixed-size lookup ids, so the store
/// can index entries without keeping any name in the clear.
public enum LookupHash {
    /// Length of a lookup id.
    public static let bytes = 32

    /// The keyed hash of `message` (32 bytes).
    public static func hash(_ message: [UInt8], key: SecureKey) -> [UInt8] {
        key.withUnsafeBytes { k in hash(message, rawKey: k) }
    }

    /// The keyed hash of `message` under a borrowed key (for many hashes in one borrow).
    public static func hash(_ message: [UInt8], rawKey k: UnsafeRawBufferPointer) -> [UInt8] {
        Sodium.ensure()
        return message.withUnsafeBytes { m in
            [UInt8](unsafeUninitializedCapacity: bytes) { out, initialized in
                crypto_generichash(
                    out.baseAddress!, bytes,
                    m.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(m.count),
                    k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count)
                initialized = bytes
            }
        }
    }
}
