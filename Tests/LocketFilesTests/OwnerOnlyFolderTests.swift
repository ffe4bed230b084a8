import Foundation
import LocketFiles
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
        #expect(unsafeFileError { () throws(UnsafeFileError) in try OwnerOnlyFolder.ensure(path) }?.isInsecure == true)
        #expect(FS.mode(path) == 0o755)
    }

    @Test("an existing folder owned by another uid is refused")
    func refusesOtherOwner() throws {
        let path = temp.appending("theirs")
        #expect(mkdir(path, 0o700) == 0)
        try FS.chownToNobody(path)
        #expect(unsafeFileError { () throws(UnsafeFileError) in try OwnerOnlyFolder.ensure(path) }?.isInsecure == true)
    }

    @Test("a regular file at the path is refused")
    func refusesRegularFile() throws {
        let path = temp.appending("file")
        try FS.write(path, [1, 2, 3], mode: 0o600)
        #expect(unsafeFileError { () throws(UnsafeFileError) in try OwnerOnlyFolder.ensure(path) }?.isInsecure == true)
    }

    @Test("a symbolic link to a private folder is refused")
    func refusesSymlink() throws {
        let target = temp.appending("real")
        #expect(mkdir(target, 0o700) == 0)
        let link = temp.appending("link")
        #expect(symlink(target, link) == 0)
        #expect(unsafeFileError { () throws(UnsafeFileError) in try OwnerOnlyFolder.ensure(link) }?.isInsecure == true)
    }
}

/// The error `body` threw, as an `UnsafeFileError` (nil when it did not throw).
private func unsafeFileError(_ body: () throws(UnsafeFileError) -> Void) -> UnsafeFileError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

extension UnsafeFileError {
    var isInsecure: Bool { if case .insecure = self { true } else { false } }
}

/// Small file-system helpers for these tests.
private enum FS {
    /// Permission bits of `path` (lstat: a symlink is not followed).
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    static func chmod(_ path: String, _ mode: mode_t) throws {
        guard Glibc.chmod(path, mode) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }

    static func chownToNobody(_ path: String) throws {
        guard Glibc.chown(path, 65534, 65534) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }

    static func write(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno)!) }
        defer { close(fd) }
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.init(rawValue: errno)!) }
    }
}
