import LocketCrypto

/// The kinds of place a vault's master key can live. The raw values are the
/// names used on the wire (`status.key_store`), in flags and in the vault's metadata.
public enum KeyStoreKind: String, Sendable, CaseIterable, Codable {
    /// An item in the user's Secret Service keyring (gnome-keyring, KWallet, KeePassXC…).
    case secretService = "secret-service"
    /// A 0600 file beside the vault: for headless machines and CI.
    case file
    /// The key wrapped by Argon2id of a passphrase the user types at unlock.
    case passphrase
    /// The key sealed by this machine's TPM 2.0; the sealed blob beside the vault.
    case tpm2
}

/// A key store keeps up to two keys per vault: `current`, and `next` while a
/// master-key rotation is in flight (so a crash at any point of a rotation
/// leaves one key that opens the vault).
public enum KeySlot: String, Sendable, CaseIterable {
    case current
    case next
}

/// Identifies a vault; also names its key in a key store. 32 lowercase hex digits.
public struct VaultID: Hashable, Sendable, CustomStringConvertible {
    /// The id as 32 lowercase hex digits.
    public let hex: String

    /// Accepts exactly 32 lowercase hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 32, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        self.hex = hex
    }

    /// A new random id.
    public static func random() -> VaultID {
        VaultID(hex: SecureRandom.bytes(16).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
        }.joined())!
    }

    public var description: String { hex }
    /// The first 8 digits: enough for a person to tell vaults apart in a label.
    public var short: String { String(hex.prefix(8)) }
}

/// Where a vault's master key lives. Implementations never log or return key
/// bytes except as a `SecureKey`.
public protocol KeyStore: Sendable {
    /// Which kind of store this is.
    var kind: KeyStoreKind { get }
    /// A human-readable location (a path, or the keyring), for `status` and logs. No secret.
    var location: String { get }
    /// The key in `slot`, or nil when that slot holds none.
    func loadKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError) -> SecureKey?
    /// Stores `key` in `slot`, replacing what was there. Durable on return.
    func saveKey(_ key: SecureKey, vault: VaultID, slot: KeySlot) throws(KeyStoreError)
    /// Removes the key in `slot`; removing an absent key is not an error.
    func deleteKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError)
}
