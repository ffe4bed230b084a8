#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of a connection, read once when it is accepted:
/// the kernel's SO_PEERCRED (pid, uid, gid, as of `connect`), the program
/// `/proc/PID/exe` named at accept, its systemd unit from `/proc/PID/cgroup`,
/// and its sandbox identity: the LSM label from SO_PEERSEC (as of `connect`),
/// the Flatpak app id from its `/.flatpak-info` and the Snap name (see
/// `SandboxIdentity.swift`).
///
/// Limits, stated plainly: the pid is the connecting process's at connect
/// time. If that process exits and its pid is reused before the daemon opens
/// `/proc/PID` (microseconds later), or it `exec`s another program, or it hands
/// the connected socket to another process, `exe` and `unit` describe
/// something else. (Once opened, every file is read through that one directory
/// descriptor, so the reads cannot mix two processes.) SO_PEERPIDFD (Linux
/// 6.5) would pin the process from connect on; it is not used yet. A process
/// of the same user can also ptrace a trusted program and speak through it. This identifies well-behaved callers for an audit trail;
/// it is not a security boundary against code running as the same user.
public struct CallerIdentity: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    /// The executable's path; nil when `/proc/PID/exe` cannot be read (a
    /// non-dumpable process such as a setuid program, or one already gone).
    public var exe: String?
    /// The kernel marked the path ` (deleted)`: the file was removed or
    /// replaced (e.g. by an upgrade) after the program started. `exe` is the
    /// path without the marker.
    public var exeDeleted: Bool
    /// The systemd unit (the last cgroup path component ending in `.service`
    /// or `.scope`), if any.
    public var unit: String?
    /// The full cgroup v2 path (`/user.slice/…/app.slice/foo.service`), if any.
    public var cgroup: String?
    /// Which file the executable was at accept (from `stat` of `/proc/PID/exe`):
    /// a content check later hashes `/proc/PID/exe` only if it is still this file.
    public var exeFile: ExecutableFile?
    /// The Flatpak app id (`[Application] name=` of the peer's `/.flatpak-info`), if any.
    public var flatpak: String?
    /// The Snap name (from an AppArmor label `snap.NAME.…`, else a cgroup `snap.NAME.…`), if any.
    public var snap: String?
    /// The LSM label (AppArmor profile or SELinux context) from SO_PEERSEC, if any.
    public var label: String?

    public init(pid: Int32, uid: UInt32, gid: UInt32, exe: String? = nil, exeDeleted: Bool = false,
                unit: String? = nil, cgroup: String? = nil) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.exe = exe
        self.exeDeleted = exeDeleted
        self.unit = unit
        self.cgroup = cgroup
    }

    /// Completes peer credentials with what `/proc` says about the pid.
    static func resolve(_ peer: PeerCredentials, label: String? = nil, proc: String = "/proc") -> CallerIdentity {
        var identity = resolve(pid: peer.pid, uid: peer.uid, gid: peer.gid, proc: proc)
        identity.label = label
        identity.snap = label.flatMap(snapName(label:)) ?? identity.cgroup.flatMap(snapName(cgroup:))
        return identity
    }

    /// The identity of `pid` with the credentials the kernel gave, completed from `proc`.
    ///
    /// Everything is read through one descriptor of `proc/PID`, opened first: if
    /// the process exits meanwhile, the reads after that fail (the kernel answers
    /// ESRCH for a dead process's directory) instead of describing whichever
    /// process gets the pid next; and `proc/PID` is looked up once, not per file.
    public static func resolve(pid: Int32, uid: UInt32, gid: UInt32, proc: String = "/proc") -> CallerIdentity {
        guard pid > 0 else { return CallerIdentity(pid: pid, uid: uid, gid: gid) }
        let directory = open("\(proc)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return CallerIdentity(pid: pid, uid: uid, gid: gid) }
        defer { close(directory) }
        return resolve(pid: pid, uid: uid, gid: gid, processDirectory: directory)
    }

    /// The same, read through `processDirectory`, a descriptor of the process's `/proc/PID`.
    static func resolve(pid: Int32, uid: UInt32, gid: UInt32, processDirectory directory: Int32) -> CallerIdentity {
        var identity = CallerIdentity(pid: pid, uid: uid, gid: gid)
        if let link = readLink(at: directory, "exe") {
            (identity.exe, identity.exeDeleted) = parseExe(link)
            identity.exeFile = ExecutableFile(at: directory, "exe")
        }
        if let bytes = readSmallFile(at: directory, "cgroup") {
            identity.cgroup = bytes.withUnsafeBufferPointer(CgroupPath.parse)
            identity.unit = identity.cgroup.flatMap(unit(ofCgroup:))
        }
        identity.flatpak = flatpakApp(processDirectory: directory)
        identity.snap = identity.cgroup.flatMap(snapName(cgroup:))
        return identity
    }

    /// Splits the kernel's ` (deleted)` marker off a `/proc/PID/exe` target.
    public static func parseExe(_ link: String) -> (path: String, deleted: Bool) {
        let marker = " (deleted)"
        if link.hasSuffix(marker) { return (String(link.dropLast(marker.count)), true) }
        return (link, false)
    }

    /// The cgroup path from `/proc/PID/cgroup`: the v2 line (`0::/path`), else
    /// the systemd v1 line (`N:name=systemd:/path`). nil when neither names more than `/`.
    public static func parseCgroup(_ text: String) -> String? {
        var text = text
        return text.withUTF8(CgroupPath.parse)
    }

    /// The last component of `cgroup` that names a unit (`….service` or `….scope`).
    public static func unit(ofCgroup cgroup: String) -> String? {
        CgroupPath.unit(cgroup)
    }

    /// The target of the symbolic link `name` in `directory`, read into stack memory.
    private static func readLink(at directory: Int32, _ name: String) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(PATH_MAX) + 1) { buffer -> String? in
            let count = readlinkat(directory, name, buffer.baseAddress!, buffer.count - 1)
            guard count > 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    private static func readSmallFile(at directory: Int32, _ name: String) -> [UInt8]? {
        let fd = openat(directory, name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readSmallBytes(fd: fd)
    }

    /// Up to 64 KiB of an open file, as text.
    static func readSmall(fd: Int32) -> String? {
        String(decoding: readSmallBytes(fd: fd), as: UTF8.self)
    }

    /// Up to 64 KiB of an open file (read through a 4 KiB stack buffer: a
    /// `/proc` file such as `cgroup` is one read).
    static func readSmallBytes(fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { chunk in
            while bytes.count < 65536 {
                let n = read(fd, chunk.baseAddress!, chunk.count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[..<n]))
            }
        }
        return bytes
    }
}

/// A file's identity and state from `stat`: the same key means the same file
/// with the same content, short of someone resetting its times (`ctime`
/// cannot be set back without root).
public struct ExecutableFile: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modified: Int64
    public var changed: Int64

    /// `stat` of `path` (following links: for `/proc/PID/exe`, the running
    /// program's file even if it was deleted); nil if it fails.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    /// `fstatat` of `name` in `directory` (following links, as `init(path:)`).
    public init?(at directory: Int32, _ name: String) {
        var info = stat()
        guard fstatat(directory, name, &info, 0) == 0 else { return nil }
        self.init(info)
    }

    /// The same from `fstat` of an open file.
    public init?(fd: Int32) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        self.init(info)
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }
}
