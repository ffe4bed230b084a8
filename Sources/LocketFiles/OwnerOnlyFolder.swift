#if canImport(Glibc)
import Glibc
#endif

/// Folders that must be private to their owner (the data folder, the socket
/// folder, the key stores' folders).
public enum OwnerOnlyFolder {
    /// Creates `path` with mode 0700 if it is missing (in one step, never
    /// chmod-ed later); refuses an existing folder with group/other bits, another
    /// owner, or that is not a folder. Parents are created 0700 as needed.
    public static func ensure(_ path: String) throws(UnsafeFileError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        let parts = path.split(separator: "/")
        for (index, part) in parts.enumerated() {
            prefix += "/" + part
            if index < parts.count - 1 {
                // Parents only need to exist; their modes are the user's business.
                _ = mkdir(prefix, 0o700)
            }
        }
        try ensureLast(path)
    }

    /// Like `ensure`, but the parent must exist already: creates `path` 0700 if
    /// missing, refuses an existing folder with group/other bits or another owner.
    public static func ensureLast(_ path: String) throws(UnsafeFileError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw .io("cannot create folder \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .io("cannot stat \(path): \(String(cString: strerror(errno)))") }
        if (info.st_mode & S_IFMT) == S_IFLNK { throw .insecure(path: path, reason: "it is a symbolic link, not a folder") }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .insecure(path: path, reason: "it is not a folder") }
        try OwnerOnly.check(info, path: path, kind: .folder)
    }
}
