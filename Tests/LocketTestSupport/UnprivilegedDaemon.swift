import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `locketd` run as an ordinary user (nobody/nogroup), for what root hides:
/// as root, `/proc/<pid>` files stay readable and `mlock` ignores
/// `RLIMIT_MEMLOCK` (CAP_IPC_LOCK), so the daemon's own protections show only
/// when it runs unprivileged. The daemon only serves its own uid, so its
/// clients run as nobody too (`locket(asNobody:)`).
extension Daemon {
    /// nobody and nogroup on Debian.
    public static let nobodyID: UInt32 = 65534

    /// The launcher that drops to nobody before the daemon starts.
    public static let asNobody = ["/usr/bin/setpriv", "--reuid=\(nobodyID)", "--regid=\(nobodyID)", "--clear-groups", "--"]

    /// A fixture (not started) whose daemon runs as nobody, after `before` (e.g.
    /// `prlimit --memlock=0:0 --`). Its socket and data folders are created 0700
    /// and owned by nobody; the fixture's folder becomes 0711 so nobody can reach them.
    public static func unprivileged(arguments: [String] = [], before: [String] = []) -> Daemon {
        let daemon = Daemon(arguments: arguments, launcher: before + asNobody)
        chmod(daemon.folder.path, 0o711)
        for path in [(daemon.socketPath as NSString).deletingLastPathComponent, daemon.dataDirectory] {
            mkdir(path, 0o700)
            chown(path, nobodyID, nobodyID)
        }
        return daemon
    }

    /// Runs the `locket` CLI as nobody against this daemon's socket.
    public func locket(asNobody arguments: [String], input: String? = nil) throws -> ProcessOutput {
        try Subprocess.run(Self.asNobody[0], Array(Self.asNobody.dropFirst()) + [Subprocess.product("locket")] + arguments + ["--socket", socketPath],
                           environment: ["PATH": "/usr/bin:/bin", "HOME": folder.path], input: input, timeout: 30)
    }
}
