#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Turns a PROGRAM argument into the path the kernel shows for it in
/// `/proc/PID/exe`: looked up in `PATH` like `command -v` when it has no `/`,
/// made absolute, and with every symlink resolved.
enum ProgramPath {
    /// The resolved path, or nil when no such executable file exists.
    static func resolve(_ program: String, path: String? = ProcessInfo.processInfo.environment["PATH"],
                        directory: String = FileManager.default.currentDirectoryPath) -> String? {
        let candidates: [String]
        if program.contains("/") {
            candidates = [program.hasPrefix("/") ? program : "\(directory)/\(program)"]
        } else {
            candidates = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? directory : String($0) }
                .map { $0.hasPrefix("/") ? "\($0)/\(program)" : "\(directory)/\($0)/\(program)" }
        }
        for candidate in candidates {
            guard let real = realPath(candidate) else { continue }
            var info = stat()
            guard stat(real, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o111 != 0, access(real, X_OK) == 0 else { continue }
            return real
        }
        return nil
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
