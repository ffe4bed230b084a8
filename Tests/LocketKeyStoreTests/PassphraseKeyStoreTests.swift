import Foundation
import LocketCrypto
import LocketKeyStore
import LocketTestSupport
import Testing

@Suite("PassphraseKeyStore: the key wrapped by Argon2id of a passphrase")
struct PassphraseKeyStoreTests {
    let temp = TemporaryFolder("locket-passkeys")
    let vault = VaultID.random()
    var folder: String { temp.appending("keys") }

    func store(_ passphrase: String?) throws -> PassphraseKeyStore {
        PassphraseKeyStore(folder: folder, passphrase: try passphrase.map(passphraseKey), limits: .interactive)
    }

    /// Saves a fresh key under "right passphrase" and returns it.
    @discardableResult
    func saved(slot: KeySlot = .current) throws -> SecureKey {
        let key = try SecureKey.random()
        try store("right passphrase").saveKey(key, vault: vault, slot: slot)
        return key
    }

    @Test("a key saved with a passphrase loads back with the same passphrase")
    func roundTrip() throws {
        let key = try saved()
        let loaded = try #require(try store("right passphrase").loadKey(vault: vault, slot: .current))
        #expect(loaded.hasSameBytes(as: key))
    }

    @Test("a wrong passphrase is reported as wrongPassphrase")
    func wrongPassphrase() throws {
        try saved()
        #expect(keyStoreError { try store("wrong passphrase").loadKey(vault: vault, slot: .current) } == .wrongPassphrase)
    }

    @Test("loading without a passphrase is passphraseRequired")
    func loadWithoutPassphrase() throws {
        try saved()
        #expect(keyStoreError { try store(nil).loadKey(vault: vault, slot: .current) } == .passphraseRequired)
    }

    @Test("saving without a passphrase is passphraseRequired and writes nothing")
    func saveWithoutPassphrase() throws {
        let error = keyStoreError { try store(nil).saveKey(try! SecureKey.random(), vault: vault, slot: .current) }
        #expect(error == .passphraseRequired)
        #expect(!FS.exists(try store(nil).path(vault: vault, slot: .current)))
    }

    @Test("loading a key that was never saved gives nil")
    func missingIsNil() throws {
        #expect(try store("right passphrase").loadKey(vault: vault, slot: .current) == nil)
    }

    @Test("the wrapped key file is mode 0600 in a 0700 folder, named master-<vault>.wrapped")
    func fileModes() throws {
        try saved()
        let path = try store(nil).path(vault: vault, slot: .current)
        #expect(path == "\(folder)/master-\(vault.hex).wrapped")
        #expect(FS.mode(path) == 0o600)
        #expect(FS.mode(folder) == 0o700)
    }

    @Test("the file is LOCKETP1, salt, the Argon2id limits it was made with, and a 72-byte box")
    func fileRecordsLimits() throws {
        try saved()
        let bytes = try FS.read(try store(nil).path(vault: vault, slot: .current))
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << UInt64($1 * 8) } }
        #expect(bytes.count == 8 + 16 + 8 + 8 + 72)
        #expect(Array(bytes.prefix(8)) == Array("LOCKETP1".utf8))
        #expect(u64(24) == Argon2Limits.interactive.operations)
        #expect(u64(32) == Argon2Limits.interactive.memoryBytes)
    }

    @Test("two saves of the same key use different salts")
    func freshSaltEachSave() throws {
        let key = try SecureKey.random()
        let s = try store("right passphrase")
        try s.saveKey(key, vault: vault, slot: .current)
        let first = try FS.read(s.path(vault: vault, slot: .current))
        try s.saveKey(key, vault: vault, slot: .current)
        let second = try FS.read(s.path(vault: vault, slot: .current))
        #expect(first[8..<24] != second[8..<24])
    }

    @Test("a flipped byte anywhere in the header (magic, salt, limits) is refused, never a wrong key")
    func tamperedHeaderRefused() throws {
        try saved()
        let path = try store(nil).path(vault: vault, slot: .current)
        let original = try FS.read(path)
        var refused = 0
        // XOR 1 keeps every changed limit within a few MiB or over the 4 GiB cap: no huge allocation.
        for position in 0..<40 {
            var tampered = original
            tampered[position] ^= 0x01
            try FS.write(path, tampered)
            let error = keyStoreError { try store("right passphrase").loadKey(vault: vault, slot: .current) }
            if error == .wrongPassphrase || error?.isMalformed == true { refused += 1 }
        }
        #expect(refused == 40)
    }

    @Test("a flipped byte in the box (nonce, wrapped key, tag) is refused, never a wrong key", arguments: [40, 63, 64, 90, 111])
    func tamperedBoxRefused(position: Int) throws {
        try saved()
        let path = try store(nil).path(vault: vault, slot: .current)
        var bytes = try FS.read(path)
        bytes[position] ^= 0x80
        try FS.write(path, bytes)
        let error = keyStoreError { try store("right passphrase").loadKey(vault: vault, slot: .current) }
        #expect(error == .wrongPassphrase || error?.isMalformed == true)
    }

    @Test("a truncated or extended file is malformed")
    func wrongLengthMalformed() throws {
        try saved()
        let path = try store(nil).path(vault: vault, slot: .current)
        let bytes = try FS.read(path)
        for variant in [Array(bytes.dropLast()), bytes + [0], []] {
            try FS.write(path, variant)
            #expect(keyStoreError { try store("right passphrase").loadKey(vault: vault, slot: .current) }?.isMalformed == true)
        }
    }

    @Test("a wrapped key copied to another vault's file does not open (vault id is bound)")
    func boundToVault() throws {
        try saved()
        let s = try store("right passphrase")
        let other = VaultID.random()
        try FS.write(s.path(vault: other, slot: .current), try FS.read(s.path(vault: vault, slot: .current)))
        #expect(keyStoreError { try s.loadKey(vault: other, slot: .current) } == .wrongPassphrase)
    }

    @Test("a wrapped key file readable by others is refused")
    func insecureFileRefused() throws {
        try saved()
        let path = try store(nil).path(vault: vault, slot: .current)
        try FS.chmod(path, 0o644)
        #expect(keyStoreError { try store("right passphrase").loadKey(vault: vault, slot: .current) }?.isInsecureFile == true)
    }

    @Test("the current and next slots hold separate keys; deleting one keeps the other")
    func slotsAreSeparate() throws {
        let current = try saved(slot: .current), next = try saved(slot: .next)
        let s = try store("right passphrase")
        #expect(s.path(vault: vault, slot: .next) == "\(folder)/master-\(vault.hex).next.wrapped")
        #expect(try #require(try s.loadKey(vault: vault, slot: .current)).hasSameBytes(as: current))
        #expect(try #require(try s.loadKey(vault: vault, slot: .next)).hasSameBytes(as: next))
        try s.deleteKey(vault: vault, slot: .next)
        try s.deleteKey(vault: vault, slot: .next)
        #expect(try s.loadKey(vault: vault, slot: .next) == nil)
        #expect(try s.loadKey(vault: vault, slot: .current) != nil)
    }

    @Test("an existing file opens with the limits it records, whatever the store's limits are now")
    func recordedLimitsWin() throws {
        let key = try saved()
        var other = Argon2Limits.interactive
        other.operations = 3
        let later = PassphraseKeyStore(folder: folder, passphrase: try passphraseKey("right passphrase"), limits: other)
        #expect(try #require(try later.loadKey(vault: vault, slot: .current)).hasSameBytes(as: key))
    }
}
