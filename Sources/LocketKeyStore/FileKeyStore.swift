import LocketCrypto

/// The master key in an owner-only file: `<folder>/master-<vault>.key`
/// (and `.next.key` during a rotation). For headless machines and CI; anyone
/// who can read the file can open the vault, which `status` says loudly.
///
/// Format: the 8 bytes `LOCKETK1` then the 32 key bytes.
public struct FileKeyStore: KeyStore {
    public let kind = KeyStoreKind.file
    /// The folder holding the key files.
    public let folder: String

    static let magic: [UInt8] = Array("LOCKETK1".utf8)

    /// A store in `folder` (created 0700 when first written).
    public init(folder: String) {
        self.folder = folder
    }

    public var location: String { folder }

    /// The file that holds `slot`'s key of `vault`.
    public func path(vault: VaultID, slot: KeySlot) -> String {
        slot == .current ? "\(folder)/master-\(vault.hex).key" : "\(folder)/master-\(vault.hex).next.key"
    }

    public func loadKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError) -> SecureKey? {
        let path = path(vault: vault, slot: slot)
        return try PrivateFile.read(path, maxBytes: 64) { (bytes) throws(KeyStoreError) in
            guard bytes.count == Self.magic.count + 32, Array(bytes.prefix(Self.magic.count)) == Self.magic else {
                throw .malformed("\(path) is not a Locket key file")
            }
            do {
                return try SecureKey(copying: UnsafeRawBufferPointer(rebasing: bytes[Self.magic.count...]))
            } catch {
                throw .io("cannot hold the key in guarded memory: \(error)")
            }
        }
    }

    public func saveKey(_ key: SecureKey, vault: VaultID, slot: KeySlot) throws(KeyStoreError) {
        guard key.count == 32 else { throw .malformed("a master key is 32 bytes") }
        try PrivateFile.ensureOwnerOnlyFolder(folder)
        try withEphemeralKeyBuffer(count: Self.magic.count + 32) { (buffer) throws(KeyStoreError) in
            buffer.copyBytes(from: Self.magic)
            key.withUnsafeBytes { k in
                UnsafeMutableRawBufferPointer(rebasing: buffer[Self.magic.count...]).copyMemory(from: k)
            }
            try PrivateFile.write(path(vault: vault, slot: slot), bytes: UnsafeRawBufferPointer(buffer))
        }
    }

    public func deleteKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError) {
        try PrivateFile.remove(path(vault: vault, slot: slot))
    }
}
