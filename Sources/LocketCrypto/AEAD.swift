import CSodium

/// XChaCha20-Poly1305 (IETF) authenticated encryption with associated data.
///
/// A sealed box is `nonce (24 bytes) ‖ ciphertext ‖ tag (16 bytes)`. The nonce
/// is random; with 192-bit nonces random choice is safe for any number of
/// messages under one key.
public enum AEAD {
    /// Key length in bytes.
    public static let keyBytes = 32
    /// Nonce length in bytes.
    public static let nonceBytes = 24
    /// Authentication tag length in bytes.
    public static let tagBytes = 16
    /// Bytes a sealed box adds to its plaintext.
    public static let overhead = nonceBytes + tagBytes

    /// Seals `plaintext` under a raw 32-byte key, binding `associatedData`.
    public static func seal(
        _ plaintext: UnsafeRawBufferPointer,
        key: UnsafeRawBufferPointer,
        associatedData: UnsafeRawBufferPointer
    ) -> [UInt8] {
        Sodium.ensure()
        precondition(key.count == keyBytes, "AEAD key must be 32 bytes")
        let total = plaintext.count + overhead
        return [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
            let raw = UnsafeMutableRawBufferPointer(out)
            randombytes_buf(raw.baseAddress!, nonceBytes)
            var written: UInt64 = 0
            crypto_aead_xchacha20poly1305_ietf_encrypt(
                out.baseAddress! + nonceBytes, &written,
                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
                nil,
                out.baseAddress!,
                key.baseAddress!.assumingMemoryBound(to: UInt8.self))
            initialized = total
        }
    }

    /// Seals `plaintext` as `seal(_:key:associatedData:)` does, with a nonce
    /// the caller drew, and appends the box (`nonce ‖ ciphertext ‖ tag`) to
    /// `out`. For a writer that seals many records at once and draws all their
    /// nonces with one call of `SecureRandom.fill`: `nonce` must be 24 fresh
    /// random bytes, never used for another box.
    public static func seal(
        _ plaintext: UnsafeRawBufferPointer,
        key: UnsafeRawBufferPointer,
        associatedData: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer,
        appendingTo out: inout [UInt8]
    ) {
        Sodium.ensure()
        precondition(key.count == keyBytes, "AEAD key must be 32 bytes")
        precondition(nonce.count == nonceBytes, "AEAD nonce must be 24 bytes")
        let start = out.count
        out.append(contentsOf: nonce)
        out.append(contentsOf: repeatElement(0, count: plaintext.count + tagBytes))
        out.withUnsafeMutableBytes { raw in
            let box = raw.baseAddress!.advanced(by: start).assumingMemoryBound(to: UInt8.self)
            var written: UInt64 = 0
            crypto_aead_xchacha20poly1305_ietf_encrypt(
                box + nonceBytes, &written,
                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
                nil,
                box,
                key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Opens a sealed box under a raw key. Any change to the box or to
    /// `associatedData` makes this throw `.authenticationFailed`.
    public static func open(
        _ sealed: UnsafeRawBufferPointer,
        key: UnsafeRawBufferPointer,
        associatedData: UnsafeRawBufferPointer
    ) throws(CryptoError) -> [UInt8] {
        Sodium.ensure()
        guard key.count == keyBytes else { throw .malformedInput("AEAD key must be 32 bytes") }
        guard sealed.count >= overhead else { throw .malformedInput("sealed box too short") }
        let plainCount = sealed.count - overhead
        let base = sealed.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var failed = false
        let plain = [UInt8](unsafeUninitializedCapacity: max(plainCount, 1)) { out, initialized in
            var written: UInt64 = 0
            let rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
                out.baseAddress!, &written, nil,
                base + nonceBytes, UInt64(sealed.count - nonceBytes),
                associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
                base,
                key.baseAddress!.assumingMemoryBound(to: UInt8.self))
            failed = rc != 0
            initialized = failed ? 0 : plainCount
        }
        if failed { throw .authenticationFailed }
        return plain
    }

    /// Seals under a guarded key.
    public static func seal(_ plaintext: [UInt8], key: SecureKey, associatedData: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { k in
            plaintext.withUnsafeBytes { p in
                associatedData.withUnsafeBytes { ad in seal(p, key: k, associatedData: ad) }
            }
        }
    }

    /// Opens under a guarded key.
    public static func open(_ sealed: [UInt8], key: SecureKey, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try key.withUnsafeBytes { (k) throws(CryptoError) in
            try sealed.withBytes { (s) throws(CryptoError) in
                try associatedData.withBytes { (ad) throws(CryptoError) in
                    try open(s, key: k, associatedData: ad)
                }
            }
        }
    }
}
