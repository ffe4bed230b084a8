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

    /// The keyed hash (32 bytes) of `first` followed by `second`, joined in a
    /// temporary buffer (on the stack when small) instead of a new array.
    public static func hash(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer,
                            rawKey k: UnsafeRawBufferPointer) -> [UInt8] {
        Sodium.ensure()
        return withUnsafeTemporaryAllocation(byteCount: first.count + second.count, alignment: 1) { joined in
            if let base = first.baseAddress, first.count > 0 { joined.baseAddress!.copyMemory(from: base, byteCount: first.count) }
            if let base = second.baseAddress, second.count > 0 {
                (joined.baseAddress! + first.count).copyMemory(from: base, byteCount: second.count)
            }
            return [UInt8](unsafeUninitializedCapacity: bytes) { out, initialized in
                crypto_generichash(
                    out.baseAddress!, bytes,
                    joined.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(joined.count),
                    k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count)
                initialized = bytes
            }
        }
    }
}
