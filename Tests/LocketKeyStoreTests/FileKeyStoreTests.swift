import Foundation
import LocketCrypto
import LocketKeyStore
import LocketTestSupport
import Testing

@Suite("FileKeyStore: the key in an owner-only file")
struct FileKeyStoreTests {
    let temp = TemporaryFolder("locket-filekeys")
    let vault = VaultID.random()
    var folder: String { temp.appending("keys") }
    var store: FileKeyStore { FileKeyStore(folder: folder) }

    @Test("a saved key loads back with the same bytes")
    func saveLoadRoundTrip() throws {
        let key = try SecureKey.random()
        try store.saveKey(key, vault: vault, slot: .current)
        let loaded = try #require(try store.loadKey(vault: vault, slot: .current))
        #expect(loaded.hasSameBytes(as: key))
    }

    @Test("the key file is mode 0600 and its folder 0700")
    func fileIs0600FolderIs0700() throws {
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        #expect(FS.mode(store.path(vault: vault, slot: .current)) == 0o600)
        #expect(FS.mode(folder) == 0o700)
    }

    @Test("the file is named master-<vault>.key and holds LOCKETK1 plus 32 bytes")
    func fileNameAndFormat() throws {
        let key = try SecureKey.random()
        try store.saveKey(key, vault: vault, slot: .current)
        let path = store.path(vault: vault, slot: .current)
        #expect(path == "\(folder)/master-\(vault.hex).key")
        let bytes = try FS.read(path)
        #expect(bytes.count == 40)
        #expect(Array(bytes.prefix(8)) == Array("LOCKETK1".utf8))
        let stored = try Array(bytes.dropFirst(8)).withUnsafeBytes { try SecureKey(copying: $0) }
        #expect(stored.hasSameBytes(as: key))
        #expect(store.kind == .file)
        #expect(store.location == folder)
    }

    @Test("loading a key that was never saved gives nil")
    func missingKeyIsNil() throws {
        #expect(try store.loadKey(vault: vault, slot: .current) == nil)
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        #expect(try store.loadKey(vault: VaultID.random(), slot: .current) == nil)
    }

    @Test("a key file readable by group or others (0644) is refused")
    func mode0644Refused() throws {
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        try FS.chmod(store.path(vault: vault, slot: .current), 0o644)
        #expect(keyStoreError { try store.loadKey(vault: vault, slot: .current) }?.isInsecureFile == true)
    }

    @Test("a key file with any group or other bit is refused", arguments: [0o640, 0o604, 0o610, 0o602, 0o601] as [mode_t])
    func anyGroupOrOtherBitRefused(mode: mode_t) throws {
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        try FS.chmod(store.path(vault: vault, slot: .current), mode)
        #expect(keyStoreError { try store.loadKey(vault: vault, slot: .current) }?.isInsecureFile == true)
    }

    @Test("a key file owned by another uid is refused")
    func otherOwnerRefused() throws {
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        try FS.chownToNobody(store.path(vault: vault, slot: .current))
        let error = keyStoreError { try store.loadKey(vault: vault, slot: .current) }
        #expect(error?.isInsecureFile == true)
        #expect(error?.description.contains("65534") == true)
    }

    @Test("a symbolic link in place of the key file is refused, even to a valid key file")
    func symlinkRefused() throws {
        let other = FileKeyStore(folder: temp.appending("elsewhere"))
        let otherVault = VaultID.random()
        try other.saveKey(try SecureKey.random(), vault: otherVault, slot: .current)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        #expect(symlink(other.path(vault: otherVault, slot: .current), store.path(vault: vault, slot: .current)) == 0)
        #expect(keyStoreError { try store.loadKey(vault: vault, slot: .current) }?.isInsecureFile == true)
    }

    @Test("a key file with the wrong magic is malformed")
    func wrongMagicMalformed() throws {
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        let path = store.path(vault: vault, slot: .current)
        var bytes = try FS.read(path)
        bytes[7] = UInt8(ascii: "2")
        try FS.write(path, bytes)
        #expect(keyStoreError { try store.loadKey(vault: vault, slot: .current) }?.isMalformed == true)
    }

    @Test("a key file of the wrong length is malformed", arguments: [0, 8, 39, 41, 64, 65, 4096])
    func wrongLengthMalformed(length: Int) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        let bytes = Array(Array("LOCKETK1".utf8) + [UInt8](repeating: 7, count: max(0, length - 8)))
        try FS.write(store.path(vault: vault, slot: .current), Array(bytes.prefix(length)))
        #expect(keyStoreError { try store.loadKey(vault: vault, slot: .current) }?.isMalformed == true)
    }

    @Test("deleting a key removes its file")
    func deleteRemovesFile() throws {
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        try store.deleteKey(vault: vault, slot: .current)
        #expect(!FS.exists(store.path(vault: vault, slot: .current)))
        #expect(try store.loadKey(vault: vault, slot: .current) == nil)
    }

    @Test("deleting a key that is not there is not an error")
    func deleteAbsentIsFine() throws {
        try store.deleteKey(vault: vault, slot: .current)
        try store.saveKey(try SecureKey.random(), vault: vault, slot: .current)
        try store.deleteKey(vault: vault, slot: .next)
        #expect(try store.loadKey(vault: vault, slot: .current) != nil)
    }

    @Test("the current and next slots are separate files with separate keys")
    func slotsAreSeparateFiles() throws {
        let current = try SecureKey.random(), next = try SecureKey.random()
        try store.saveKey(current, vault: vault, slot: .current)
        #expect(try store.loadKey(vault: vault, slot: .next) == nil)
        try store.saveKey(next, vault: vault, slot: .next)
        #expect(store.path(vault: vault, slot: .next) == "\(folder)/master-\(vault.hex).next.key")
        #expect(try #require(try store.loadKey(vault: vault, slot: .current)).hasSameBytes(as: current))
        #expect(try #require(try store.loadKey(vault: vault, slot: .next)).hasSameBytes(as: next))
        try store.deleteKey(vault: vault, slot: .current)
        #expect(try store.loadKey(vault: vault, slot: .current) == nil)
        #expect(try #require(try store.loadKey(vault: vault, slot: .next)).hasSameBytes(as: next))
    }

    @Test("saving again replaces the key and leaves no temporary file")
    func saveReplacesAtomically() throws {
        let first = try SecureKey.random(), second = try SecureKey.random()
        try store.saveKey(first, vault: vault, slot: .current)
        try store.saveKey(second, vault: vault, slot: .current)
        #expect(try #require(try store.loadKey(vault: vault, slot: .current)).hasSameBytes(as: second))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["master-\(vault.hex).key"])
    }

    @Test("a key that is not 32 bytes is not saved")
    func wrongLengthKeyNotSaved() throws {
        let error = keyStoreError { try store.saveKey(try! SecureKey.random(count: 16), vault: vault, slot: .current) }
        #expect(error?.isMalformed == true)
        #expect(!FS.exists(store.path(vault: vault, slot: .current)))
    }

    @Test("saving into a folder readable by others is refused")
    func insecureFolderRefusedOnSave() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        try FS.chmod(folder, 0o755)
        #expect(keyStoreError { try store.saveKey(try! SecureKey.random(), vault: vault, slot: .current) }?.isInsecureFile == true)
        #expect(!FS.exists(store.path(vault: vault, slot: .current)))
    }
}
