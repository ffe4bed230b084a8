import Foundation
import LocketKeyStore
import LocketTestSupport
import Testing

@Suite("OwnerOnlyFolder.ensure")
struct OwnerOnlyFolderTests {
    let temp = TemporaryFolder("locket-folders")

    @Test("a missing folder is created with mode 0700")
    func createsWith0700() throws {
        let path = temp.appending("data")
        try OwnerOnlyFolder.ensure(path)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFDIR)
        #expect(info.st_mode & 0o777 == 0o700)
        #expect(info.st_uid == geteuid())
    }

    @Test("missing parents are created too, and the folder itself is 0700")
    func createsParents() throws {
        let path = temp.appending("a/b/c")
        try OwnerOnlyFolder.ensure(path)
        #expect(FS.mode(path) == 0o700)
        #expect(FS.mode(temp.appending("a/b")) != nil)
    }

    @Test("an existing 0700 folder is accepted, and ensuring twice is fine")
    func existingPrivateFolderAccepted() throws {
        let path = temp.appending("data")
        try OwnerOnlyFolder.ensure(path)
        try OwnerOnlyFolder.ensure(path)
        #expect(FS.mode(path) == 0o700)
    }

    @Test("an existing folder with group or other bits (0755) is refused and left unchanged")
    func refuses0755() throws {
        let path = temp.appending("open")
        #expect(mkdir(path, 0o755) == 0)
        try FS.chmod(path, 0o755)
        #expect(keyStoreError { try OwnerOnlyFolder.ensure(path) }?.isInsecureFile == true)
        #expect(FS.mode(path) == 0o755)
    }

    @Test("an existing folder owned by another uid is refused")
    func refusesOtherOwner() throws {
        let path = temp.appending("theirs")
        #expect(mkdir(path, 0o700) == 0)
        try FS.chownToNobody(path)
        #expect(keyStoreError { try OwnerOnlyFolder.ensure(path) }?.isInsecureFile == true)
    }

    @Test("a regular file at the path is refused")
    func refusesRegularFile() throws {
        let path = temp.appending("file")
        try FS.write(path, [1, 2, 3], mode: 0o600)
        #expect(keyStoreError { try OwnerOnlyFolder.ensure(path) }?.isInsecureFile == true)
    }

    @Test("a symbolic link to a private folder is refused")
    func refusesSymlink() throws {
        let target = temp.appending("real")
        #expect(mkdir(target, 0o700) == 0)
        let link = temp.appending("link")
        #expect(symlink(target, link) == 0)
        #expect(keyStoreError { try OwnerOnlyFolder.ensure(link) }?.isInsecureFile == true)
    }
}
