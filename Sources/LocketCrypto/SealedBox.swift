import CSodium

/// Anonymous public-key sealing (`crypto_box_seal`: X25519 + XSalsa20-Poly1305
/// with an ephemeral sender key). Whoever holds only the public key can seal;
/// only the secret key opens. The audit log uses it so a locked daemon can
/// still write records that only the master key's holder can read.
public enum SealedBox {
    /// Length of a public key.
    public static let publicKeyBytes = Int(crypto_box_publickeybytes())
    /// Bytes a sealed box adds to its plaintext.
    public static let overhead = Int(crypto_box_sealbytes())

    /// The key pair derived deterministically from a 32-byte seed
    /// (`crypto_box_seed_keypair`). The secret key stays in guarded memory.
    public static func keyPair(seed: SecureKey) throws(CryptoError) -> (publicKey: [UInt8], secretKey: SecureKey) {
        Sodium.ensure()
        guard seed.count == Int(crypto_box_seedbytes()) else { throw .malformedInput("seed must be 32 bytes") }
        var publicKey = [UInt8](repeating: 0, count: publicKeyBytes)
        let secret = try seed.withUnsafeBytes { (s) throws(CryptoError) in
            try SecureKey(count: Int(crypto_box_secretkeybytes())) { (out) throws(CryptoError) in
                let rc = publicKey.withUnsafeMutableBytes { pk in
                    crypto_box_seed_keypair(pk.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                            out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                            s.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
                if rc != 0 { throw .malformedInput("crypto_box_seed_keypair failed") }
            }
        }
        return (publicKey, secret)
    }

    /// Seals `plaintext` to `publicKey`.
    public static func seal(_ plaintext: UnsafeRawBufferPointer, to publicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
        Sodium.ensure()
        guard publicKey.count == publicKeyBytes else { throw .malformedInput("public key must be 32 bytes") }
        var out = [UInt8](repeating: 0, count: plaintext.count + overhead)
        let rc = out.withUnsafeMutableBytes { o in
            publicKey.withUnsafeBytes { pk in
                crypto_box_seal(o.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                                pk.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        if rc != 0 { throw .malformedInput("crypto_box_seal failed") }
        return out
    }

    /// Opens a sealed box into guarded memory (for sealed keys), protected as
    /// `protection` says (`.readableWhileHeld` for a key used once per record).
    /// Throws `.authenticationFailed` for a box sealed to another key or changed.
    public static func openKey(_ sealed: [UInt8], publicKey: [UInt8], secretKey: SecureKey,
                               protection: SecureKey.Protection = .guarded) throws(CryptoError) -> SecureKey {
        Sodium.ensure()
        guard sealed.count > overhead, publicKey.count == publicKeyBytes else { throw .malformedInput("sealed box too short") }
        return try secretKey.withUnsafeBytes { (sk) throws(CryptoError) in
            try SecureKey(count: sealed.count - overhead, protection: protection) { (out) throws(CryptoError) in
                let rc = sealed.withUnsafeBytes { c in
                    publicKey.withUnsafeBytes { pk in
                        crypto_box_seal_open(out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                             c.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(c.count),
                                             pk.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                             sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
                if rc != 0 { throw .authenticationFailed }
            }
        }
    }
}
