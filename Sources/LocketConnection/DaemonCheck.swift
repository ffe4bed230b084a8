#if canImport(Glibc)
import Glibc
#endif

/// What a client checks before it sends a byte, so that a token, a passphrase
/// or a password never goes to a socket another user put in the daemon's place
/// (`Protocol/PROTOCOL.md` §2, "Clients verify the daemon").
///
/// 1. Before connecting, `lstat` of the socket's folder: a real folder (not a
///    symbolic link), owned by the caller's uid (or root), with no group or
///    other permission bits. No other uid can then have put anything in it.
/// 2. After connecting, `SO_PEERCRED`: the listening process runs as the
///    caller's uid (or root).
///
/// The same rules hold for every path, explicit (`--socket`, `LOCKET_SOCKET`)
/// or default: a socket in a folder the caller does not own privately is refused.
enum DaemonCheck {
    /// Step 1. Throws `unsafeSocketFolder` for a folder another uid could have
    /// filled; returns quietly when the folder is missing (connecting then fails
    /// with `daemonNotRunning`).
    static func checkFolder(of socketPath: String, uid: UInt32 = getuid()) throws(LocketError) {
        let folder = folderPath(of: socketPath)
        var info = stat()
        guard lstat(folder, &info) == 0 else { return }
        let mode = UInt32(info.st_mode)
        let problem: SocketFolderProblem?
        if mode & UInt32(S_IFMT) == UInt32(S_IFLNK) {
            problem = .symbolicLink
        } else if mode & UInt32(S_IFMT) != UInt32(S_IFDIR) {
            problem = .notAFolder
        } else if info.st_uid != uid && info.st_uid != 0 {
            problem = .ownedByAnotherUser
        } else if mode & 0o077 != 0 {
            problem = .openToOthers
        } else {
            problem = nil
        }
        if let problem {
            throw .unsafeSocketFolder(folder: folder, ownerUID: info.st_uid, mode: mode & 0o7777, problem: problem)
        }
    }

    /// Step 2, on a connected socket. Throws `notTheDaemon` when the peer is
    /// another uid (or the kernel does not say who it is).
    static func checkPeer(fd: Int32, socketPath: String, uid: UInt32 = getuid()) throws(LocketError) {
        var credentials = PeerUcred()
        var length = socklen_t(MemoryLayout<PeerUcred>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0,
              Int(length) == MemoryLayout<PeerUcred>.size else {
            throw .connectionFailed("cannot tell who listens on \(socketPath) (SO_PEERCRED: \(String(cString: strerror(errno))))")
        }
        guard credentials.uid == uid || credentials.uid == 0 else {
            throw .notTheDaemon(socketPath: socketPath, peerUID: credentials.uid)
        }
    }

    /// The folder part of `path` ("." for a bare name, "/" for a name in the root).
    static func folderPath(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// Why a socket folder is not safe to trust (see `LocketError.unsafeSocketFolder`).
public enum SocketFolderProblem: Sendable, Equatable {
    /// The folder is a symbolic link (another user may own what it points to).
    case symbolicLink
    /// Something else than a folder stands at that path.
    case notAFolder
    /// Another uid (not root) owns the folder, so it chose what is inside.
    case ownedByAnotherUser
    /// Group or others may enter or write the folder, so any of them could have
    /// put the socket there.
    case openToOthers
}

/// The kernel's `struct ucred` (pid, uid, gid); Glibc only declares it under _GNU_SOURCE.
private struct PeerUcred {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
