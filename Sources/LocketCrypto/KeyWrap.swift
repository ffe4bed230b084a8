/// Wrapping one 32-byte key under another (AEAD with the owner's context as
/// associated data), so a wrapped key moved to another record does not open.
public enum KeyWrap {
    /// Length of a wrapped 32-byte key.
    public static let wrappedBytes = 32 + AEAD.overhead

    /// Wraps raw key bytes under `wrappingKey`.
    public static func wrap(_ key: UnsafeRawBufferPointer, under wrappingKey: SecureKey, context: [UInt8]) -> [UInt8] {
        wrappingKey.withUnsafeBytes { w in
            context.withUnsafeBytes { ad in AEAD.seal(key, key: w, associatedData: ad) }
        }
    }

    /// Wraps a guarded key under `wrappingKey`.
    public static func wrap(_ key: SecureKey, under wrappingKey: SecureKey, context: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { wrap($0, under: wrappingKey, context: context) }
    }

    /// Unwraps into a wiped-after-use buffer and hands it to `body`.
    /// Inlinable so that a caller in another module gets it specialized for its
    /// `R`: unspecialized, every call looked up `R`'s generic metadata at run
    /// time (0.5 % of the daemon's samples under `get`s, one unwrap per `get`).
    @inlinable
    public static func withUnwrapped<R>(
        _ wrapped: [UInt8], under wrappingKey: SecureKey, context: [UInt8],
        _ body: (UnsafeRawBufferPointer) throws(CryptoError) -> R
    ) throws(CryptoError) -> R {
        var plain = try AEAD.open(wrapped, key: wrappingKey, associatedData: context)
        defer { secureZero(&plain) }
        guard plain.count == AEAD.keyBytes else { throw .malformedInput("wrapped key has the wrong length") }
        return try plain.withBytes { (p) throws(CryptoError) in try body(p) }
    }

    /// Unwraps into guarded memory with the page `protection` the key's use calls for.
    public static func unwrap(
        _ wrapped: [UInt8], under wrappingKey: SecureKey, context: [UInt8], protection: SecureKey.Protection = .guarded
    ) throws(CryptoError) -> SecureKey {
        try withUnwrapped(wrapped, under: wrappingKey, context: context) { (p) throws(CryptoError) in
            try SecureKey(copying: p, protection: protection)
        }
    }
}
