#if canImport(Glibc)
import Glibc
#endif
import LocketSync

/// An exclusive `flock` on `<data>/vault.lock`: one process per vault. The
/// kernel releases it when the process dies, so a killed daemon never leaves
/// a stale lock behind.
final class VaultFileLock: Sendable {
    private let fd: Locked<Int32>

    init(folder: String) throws(StoreError) {
        let path = "\(folder)/vault.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .setup("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .setup("another process has the vault in \(folder) open (is another locketd running?)")
        }
        self.fd = Locked(fd)
    }

    /// Releases the lock (once); `Vault.close()` calls it so the folder can be opened again.
    func release() {
        fd.withLock { fd in
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit {
        release()
    }
}

/// Creates the database file 0600 before SQLite sees it, so it never exists
/// with looser modes (SQLite gives its -wal and -shm files the same mode).
enum DatabaseFile {
    static func createIfMissing(_ path: String) throws(StoreError) -> Bool {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw .setup("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        close(fd)
        return true
    }
}
