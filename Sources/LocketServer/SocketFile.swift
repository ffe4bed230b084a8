#if canImport(Glibc)
import Glibc
#endif
import LocketFiles

/// Preparing the socket path before binding: a private folder, and a socket
/// file left by a dead daemon replaced, while a live daemon is left alone.
public enum SocketFile {
    enum Problem: Error, CustomStringConvertible {
        case alreadyRunning(String)
        case unusable(String)

        var description: String {
            switch self {
            case .alreadyRunning(let path): "another locketd is running on \(path)"
            case .unusable(let why): why
            }
        }
    }

    /// What is wrong with the socket path or its folder (created 0700 if missing), or nil.
    /// The daemon asks before it opens the vault, so a refused start leaves no vault behind.
    public static func folderProblem(for path: String) -> String? {
        guard path.utf8.count < 108 else { return "socket path is longer than 107 bytes: \(path)" }
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !folder.isEmpty {
            do {
                try OwnerOnlyFolder.ensure(folder)
            } catch {
                return "socket folder: \(error)"
            }
        }
        return nil
    }

    /// Ensures the folder (0700, ours) and clears a stale socket at `path`.
    static func prepare(_ path: String) throws(Problem) {
        if let problem = folderProblem(for: path) { throw .unusable(problem) }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw .unusable("\(path) exists and is not a socket; remove it or choose another --socket")
        }
        if isAlive(path) { throw .alreadyRunning(path) }
        unlink(path)
    }

    /// Whether something accepts connections on the socket at `path`.
    public static func isAlive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return connected == 0
    }
}
