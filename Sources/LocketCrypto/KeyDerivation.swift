import CSodium

/// Sub-keys derived from a master key with libsodium's `crypto_kdf` (BLAKE2b).
/// Each purpose has a fixed id; the context names the scheme and its version.
public enum SubkeyPurpose: UInt64, Sendable, CaseIterable {
    /// Wraps per-entry data keys and the vault's index key.
    case wrap = 1
    /// Keys the key-check value that tells whether a master key is the vault's.
    case check = 2
    /// Keys lookup ids of names (see `LookupHash`).
    case lookup = 3
    /// Seed of the audit log's sealing key pair (`SealedBox.keyPair(seed:)`).
    /// Derived from the vault's index key, not the master key, so rotation keeps it.
    case auditSeal = 4
    /// Keys the hashes of key names in the audit log. Also from the index key.
    case auditKeyHash = 5
    /// Seals the vault's access rules (in its meta). Also from the index key,
    /// which only the master key unwraps, so rotation keeps the rules readable.
    case accessRules = 6
}

/// `crypto_kdf_derive_from_key` over guarded keys.
public enum KeyDerivation {
    /// The 8-byte KDF context for this key schedule.
    public static let context = "LocketV1"

    /// Derives the sub-key for `purpose` from `master` (32 bytes each; any
    /// 32-byte key can be the parent, e.g. the vault's index key), with the
    /// page `protection` the sub-key's use calls for.
    public static func derive(
        _ purpose: SubkeyPurpose, from master: SecureKey, protection: SecureKey.Protection = .guarded
    ) throws(CryptoError) -> SecureKey {
        Sodium.ensure()
        guard master.count == Int(crypto_kdf_KEYBYTES) else { throw .malformedInput("master key must be 32 bytes") }
        return try master.withUnsafeBytes { (m) throws(CryptoError) in
            try SecureKey(count: 32, protection: protection) { (out) throws(CryptoError) in
                let rc = context.withCString { ctx in
                    crypto_kdf_derive_from_key(
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32,
                        purpose.rawValue, ctx, m.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
                if rc != 0 { throw .malformedInput("crypto_kdf_derive_from_key failed") }
            }
        }
    }
}
