#if canImport(Glibc)
import Glibc
#endif

/// The owner-only rule for private files (0600) and folders (0700): ours, and
/// nothing for group or others.
public enum OwnerOnly {
    /// What the checked path should be.
    public enum Kind: Sendable {
        case file, folder
    }

    /// Refuses `info` (of `path`, from `fstat` or `lstat`) unless it is a `kind`
    /// owned by this process's effective uid, with no group or other bits.
    public static func check(_ info: stat, path: String, kind: Kind) throws(UnsafeFileError) {
        if kind == .file, (info.st_mode & S_IFMT) != S_IFREG {
            throw .insecure(path: path, reason: "it is not a regular file")
        }
        guard info.st_uid == geteuid() else {
            throw .insecure(path: path, reason: "it is owned by uid \(info.st_uid), not \(geteuid())")
        }
        guard info.st_mode & 0o077 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw .insecure(path: path, reason: "its mode is \(mode); it must be readable by its owner only (chmod \(kind == .file ? "600" : "700"))")
        }
    }
}
