import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real mount for fault tests (tests run as root, here and in CI): a small
/// tmpfs (a disk that fills up), a read-only bind mount, or an ext4 image on a
/// loop device (a file system the kernel turns read-only on an error).
///
/// Cleanup never depends on the test passing: `unmount()` is idempotent and
/// falls back to a lazy unmount when something still holds the mount; `deinit`
/// calls it; and a watchdog shell unmounts (lazily) and detaches the loop
/// device if this test process dies first, so no mount outlives the tests.
public final class Mount: @unchecked Sendable {
    public enum MountError: Error, CustomStringConvertible {
        case failed(String)
        public var description: String { if case .failed(let why) = self { why } else { "" } }
    }

    /// Where it is mounted.
    public let path: String
    /// The loop device under an ext4 mount (nil for tmpfs and bind mounts).
    public let loopDevice: String?
    private let lock = NSLock()
    private var mounted = true

    private init(path: String, loopDevice: String?) {
        self.path = path
        self.loopDevice = loopDevice
        Self.watch(path: path, loopDevice: loopDevice)
    }

    deinit { unmount() }

    /// A tmpfs of `size` (as mount(8) takes it: "1m", "512k") at `path` (created), mode 0700.
    public static func tmpfs(at path: String, size: String) throws -> Mount {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path])
        return Mount(path: path, loopDevice: nil)
    }

    /// `path` bind-mounted onto itself, read-only (the files below it stay as they are).
    public static func readOnlyBind(_ path: String) throws -> Mount {
        try run("/bin/mount", ["--bind", path, path])
        let mount = Mount(path: path, loopDevice: nil)
        try mount.remount("bind,ro")
        return mount
    }

    /// A fresh ext4 file system of `megabytes` in an image file `image`, on a
    /// loop device, mounted at `path` (created) with `options` (e.g. "errors=remount-ro").
    public static func ext4(image: String, megabytes: Int, at path: String, options: String) throws -> Mount {
        try run("/usr/bin/truncate", ["-s", "\(megabytes)M", image])
        try run("/sbin/mkfs.ext4", ["-q", "-F", image])
        return try ext4Existing(image: image, at: path, options: options)
    }

    /// The ext4 file system in `image`, on a loop device, mounted at `path` (created) with `options`.
    public static func ext4Existing(image: String, at path: String, options: String) throws -> Mount {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Tests in parallel may race for the same free device: try again.
        var device: String?
        for _ in 0..<5 where device == nil {
            let attached = try Subprocess.run("/sbin/losetup", ["--find", "--show", image], timeout: 30)
            if attached.status == 0 { device = attached.stdout.trimmingCharacters(in: .whitespacesAndNewlines) } else { usleep(200_000) }
        }
        guard let device else { throw MountError.failed("losetup found no free loop device for \(image)") }
        do {
            try run("/bin/mount", ["-t", "ext4", "-o", options, device, path])
        } catch {
            _ = try? Subprocess.run("/sbin/losetup", ["-d", device], timeout: 30)
            throw error
        }
        _ = chmod(path, 0o700)
        return Mount(path: path, loopDevice: device)
    }

    /// `mount -o remount,OPTIONS`; throws with mount's message when the kernel refuses.
    public func remount(_ options: String) throws {
        try Self.run("/bin/mount", ["-o", "remount,\(options)", path])
    }

    /// The mount options the kernel reports now (e.g. "ro,relatime,…").
    public var options: String {
        let result = try? Subprocess.run("/bin/findmnt", ["-n", "-o", "OPTIONS", "--mountpoint", path], timeout: 10)
        return result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// Unmounts (lazily if busy) and detaches the loop device. Safe to call twice.
    public func unmount() {
        let proceed = lock.withLock { () -> Bool in
            defer { mounted = false }
            return mounted
        }
        guard proceed else { return }
        if (try? Self.run("/bin/umount", [path])) == nil {
            _ = try? Subprocess.run("/bin/umount", ["-l", path], timeout: 30)
        }
        if let loopDevice { _ = try? Subprocess.run("/sbin/losetup", ["-d", loopDevice], timeout: 30) }
    }

    /// The kernel's ext4 error trigger: with `errors=remount-ro` the file system
    /// turns read-only at once, whoever has files open on it for writing.
    public func triggerExt4Error() throws {
        guard let loopDevice else { throw MountError.failed("not an ext4 loop mount") }
        let name = URL(fileURLWithPath: loopDevice).lastPathComponent
        try "locket fault test\n".write(toFile: "/sys/fs/ext4/\(name)/trigger_fs_error", atomically: false, encoding: .utf8)
    }

    /// `e2fsck -fy` of an unmounted ext4 image; its exit status (0, or 1 for "errors corrected").
    public static func fsck(image: String) throws -> Int32 {
        try Subprocess.run("/sbin/e2fsck", ["-fy", image], timeout: 120).status
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> ProcessOutput {
        let result = try Subprocess.run(tool, arguments, timeout: 60)
        guard result.status == 0 else {
            throw MountError.failed("\(([tool] + arguments).joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result
    }

    /// Unmounts (lazily) and detaches when this test process goes away while still mounted.
    private static func watch(path: String, loopDevice: String?) {
        let me = getpid()
        let detach = loopDevice.map { "; losetup -d '\($0)' 2>/dev/null" } ?? ""
        let script = "while kill -0 \(me) 2>/dev/null && mountpoint -q '\(path)'; do sleep 1; done; "
            + "if mountpoint -q '\(path)'; then umount -l '\(path)'\(detach); fi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}
