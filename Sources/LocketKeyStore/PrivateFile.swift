#if canImport(Glibc)
import Glibc
#endif
import LocketCrypto
import LocketFiles

/// Reading and writing small owner-only files (key files) safely: no symlinks
/// followed, owner and mode checked on the open descriptor, writes atomic and
/// synced (temp file, fsync, rename, fsync of the folder).
enum PrivateFile {
    /// Reads the file at `path` into a wiped-after-use buffer handed to `body`;
    /// nil when the file does not exist. Refuses looser modes than 0600 or another owner.
    static func read<R>(
        _ path: String, maxBytes: Int,
        _ body: (UnsafeRawBufferPointer) throws(KeyStoreError) -> R
    ) throws(KeyStoreError) -> R? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw .insecureFile(path: path, reason: "it is a symbolic link") }
            throw .io("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io("cannot stat \(path): \(String(cString: strerror(errno)))") }
        try checkOwnerOnly(info, path: path)
        guard info.st_size <= maxBytes else { throw .malformed("\(path) is larger than a key file can be") }
        return try withEphemeralKeyBuffer(count: maxBytes) { (buffer) throws(KeyStoreError) in
            var total = 0
            while total < maxBytes {
                let n = Glibc.read(fd, buffer.baseAddress! + total, maxBytes - total)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .io("cannot read \(path): \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                total += n
            }
            return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<total]))
        }
    }

    /// Replaces the file at `path` with `bytes`, mode 0600, atomically and durably.
    static func write(_ path: String, bytes: UnsafeRawBufferPointer) throws(KeyStoreError) {
        let temp = "\(path).tmp-\(getpid())"
        unlink(temp)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot create \(temp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let message = String(cString: strerror(errno))
                close(fd)
                throw .io("cannot write \(temp): \(message)")
            }
            offset += n
        }
        guard fsync(fd) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw .io("cannot sync \(temp): \(message)")
        }
        close(fd)
        guard rename(temp, path) == 0 else { throw .io("cannot rename into \(path): \(String(cString: strerror(errno)))") }
        ok = true
        syncFolder(of: path)
    }

    /// Removes `path` if present and syncs its folder.
    static func remove(_ path: String) throws(KeyStoreError) {
        if unlink(path) != 0 {
            if errno == ENOENT { return }
            throw .io("cannot remove \(path): \(String(cString: strerror(errno)))")
        }
        syncFolder(of: path)
    }

    /// Creates `path` 0700 if missing (in one step, never chmod-ed later);
    /// refuses an existing folder with group/other bits or another owner.
    static func ensureOwnerOnlyFolder(_ path: String) throws(KeyStoreError) {
        do {
            try OwnerOnlyFolder.ensureLast(path)
        } catch {
            throw KeyStoreError(error)
        }
    }

    private static func checkOwnerOnly(_ info: stat, path: String) throws(KeyStoreError) {
        do {
            try OwnerOnly.check(info, path: path, kind: .file)
        } catch {
            throw KeyStoreError(error)
        }
    }

    private static func syncFolder(of path: String) {
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
