import LocketCrypto

/// The master key wrapped under an Argon2id key of a passphrase, in an
/// owner-only file `<folder>/master-<vault>.wrapped` (`.next.wrapped` during a
/// rotation). The vault stays locked until someone supplies the passphrase.
///
/// Format (all integers little-endian): `LOCKETP1` (8) ‖ salt (16) ‖
/// opslimit (8) ‖ memlimit (8) ‖ XChaCha20-Poly1305 box of the key (72). The
/// header and the vault id are the box's associated data, so neither the
/// limits nor the salt can be changed without detection.
public struct PassphraseKeyStore: KeyStore {
    public let kind = KeyStoreKind.passphrase
    /// The folder holding the wrapped key files.
    public let folder: String
    /// Limits used for new wraps; existing files keep the limits they record.
    public let limits: Argon2Limits
    private let passphrase: SecureKey?

    static let magic: [UInt8] = Array("LOCKETP1".utf8)
    static let headerBytes = 8 + 16 + 8 + 8
    static let fileBytes = headerBytes + KeyWrap.wrappedBytes

    /// A store in `folder`. Without a passphrase it can only report
    /// `passphraseRequired`. The passphrase is copied into guarded memory.
    public init(folder: String, passphrase: SecureKey?, limits: Argon2Limits = .moderate) {
        self.folder = folder
        self.passphrase = passphrase
        self.limits = limits
    }

    public var location: String { folder }

    /// The file that holds `slot`'s wrapped key of `vault`.
    public func path(vault: VaultID, slot: KeySlot) -> String {
        slot == .current ? "\(folder)/master-\(vault.hex).wrapped" : "\(folder)/master-\(vault.hex).next.wrapped"
    }

    public func loadKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError) -> SecureKey? {
        let path = path(vault: vault, slot: slot)
        let parsed: (salt: [UInt8], limits: Argon2Limits, header: [UInt8], box: [UInt8])? =
            try PrivateFile.read(path, maxBytes: Self.fileBytes + 1) { (bytes) throws(KeyStoreError) in
                guard bytes.count == Self.fileBytes, Array(bytes.prefix(8)) == Self.magic else {
                    throw .malformed("\(path) is not a Locket wrapped key file")
                }
                let all = Array(bytes)
                let ops = Self.readUInt64(all, at: 24), mem = Self.readUInt64(all, at: 32)
                return (Array(all[8..<24]), Argon2Limits(operations: ops, memoryBytes: mem),
                        Array(all[0..<Self.headerBytes]), Array(all[Self.headerBytes...]))
            }
        guard let parsed else { return nil }
        guard let passphrase else { throw .passphraseRequired }
        let kek = try deriveKEK(passphrase, salt: parsed.salt, limits: parsed.limits)
        do {
            return try KeyWrap.unwrap(parsed.box, under: kek, context: parsed.header + Array(vault.hex.utf8))
        } catch .authenticationFailed {
            throw .wrongPassphrase
        } catch {
            throw .malformed("\(path): \(error)")
        }
    }

    public func saveKey(_ key: SecureKey, vault: VaultID, slot: KeySlot) throws(KeyStoreError) {
        guard let passphrase else { throw .passphraseRequired }
        guard key.count == 32 else { throw .malformed("a master key is 32 bytes") }
        try PrivateFile.ensureOwnerOnlyFolder(folder)
        let salt = SecureRandom.bytes(PassphraseKDF.saltBytes)
        var header = Self.magic + salt
        Self.appendUInt64(&header, limits.operations)
        Self.appendUInt64(&header, limits.memoryBytes)
        let kek = try deriveKEK(passphrase, salt: salt, limits: limits)
        let box = KeyWrap.wrap(key, under: kek, context: header + Array(vault.hex.utf8))
        let file = header + box
        try file.withBytes { (bytes) throws(KeyStoreError) in
            try PrivateFile.write(path(vault: vault, slot: slot), bytes: bytes)
        }
    }

    public func deleteKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError) {
        try PrivateFile.remove(path(vault: vault, slot: slot))
    }

    private func deriveKEK(_ passphrase: SecureKey, salt: [UInt8], limits: Argon2Limits) throws(KeyStoreError) -> SecureKey {
        // Refuse absurd limits from a tampered file before Argon2id tries to allocate them.
        guard limits.operations >= 1, limits.operations <= 64, limits.memoryBytes <= 4 << 30 else {
            throw .malformed("wrapped key file records implausible Argon2id limits")
        }
        do {
            return try passphrase.withUnsafeBytes { (p) throws(CryptoError) in
                try PassphraseKDF.deriveKey(passphrase: p, salt: salt, limits: limits)
            }
        } catch {
            throw .io("Argon2id failed: \(error)")
        }
    }

    static func appendUInt64(_ bytes: inout [UInt8], _ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << UInt64($1 * 8) }
    }
}
