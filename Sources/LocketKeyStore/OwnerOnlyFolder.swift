/// Folders that must be private to their owner (the data folder, the socket folder).
public enum OwnerOnlyFolder {
    /// Creates `path` with mode 0700 if it is missing (in one step, never
    /// chmod-ed later); refuses an existing folder with group/other bits, another
    /// owner, or that is not a folder. Parents are created 0700 as needed.
    public static func ensure(_ path: String) throws(KeyStoreError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        let parts = path.split(separator: "/")
        for (index, part) in parts.enumerated() {
            prefix += "/" + part
            if index < parts.count - 1 {
                // Parents only need to exist; their modes are the user's business.
                _ = prefix.withCString { mkdirIfMissing($0) }
            }
        }
        try PrivateFile.ensureOwnerOnlyFolder(path)
    }

    private static func mkdirIfMissing(_ path: UnsafePointer<CChar>) -> Bool {
        mkdir(path, 0o700) == 0
    }
}

#if canImport(Glibc)
import Glibc
#endif
