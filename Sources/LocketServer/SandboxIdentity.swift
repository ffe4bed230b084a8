#if canImport(Glibc)
import Glibc
#endif
import LocketProtocol

/// How the daemon learns a caller's sandbox identity (the way the desktop
/// portal does), and how such an identity is matched against a rule.
extension CallerIdentity {
    /// The Flatpak app id of a process: `[Application] name=` in `.flatpak-info` at
    /// the root of the process's own filesystem view (`/proc/PID/root`), which
    /// Flatpak mounts read-only into every sandbox and the app cannot change.
    /// Opened as xdg-desktop-portal does: the root directory first, then the
    /// file relative to it without following a symlink; it must be a regular
    /// file. nil when there is none (not a Flatpak app) or it cannot be read.
    /// `processDirectory` is a descriptor of the process's `/proc/PID` directory.
    static func flatpakApp(processDirectory: Int32) -> String? {
        let root = openat(processDirectory, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard root >= 0 else { return nil }
        defer { close(root) }
        let fd = openat(root, ".flatpak-info", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, let text = readSmall(fd: fd) else { return nil }
        return parseFlatpakInfo(text)
    }

    /// `name` of the `[Application]` group of a Flatpak info file (a GLib key
    /// file), if it is a valid app id.
    public static func parseFlatpakInfo(_ text: String) -> String? {
        var group = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                group = String(line.dropFirst().dropLast())
                continue
            }
            guard group == "Application", let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: " \t")
            guard key == "name" else { continue }
            let value = line[line.index(after: equals)...].trimmingCharacters(in: " \t")
            return SandboxSubject.validate(.flatpak, value) == nil ? value : nil
        }
        return nil
    }

    /// The snap of an AppArmor label `snap.NAME.APP` (or `snap.NAME.hook.HOOK`).
    public static func snapName(label: String) -> String? {
        let parts = label.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "snap" else { return nil }
        let name = String(parts[1])
        return SandboxSubject.validate(.snap, name) == nil ? name : nil
    }

    /// The snap of a cgroup path with a `snap.NAME.APP-UUID.scope` (or
    /// `snap.NAME.APP.service`) component. Weaker than the label: any
    /// unconfined program of the user can start itself in a scope of that name.
    public static func snapName(cgroup: String) -> String? {
        for component in CgroupPath.snapComponents(cgroup) {
            if let name = snapName(label: component) { return name }
        }
        return nil
    }

    /// Whether this caller is `program` by sandbox identity (a rule that names a path never matches here).
    func matchesSandbox(_ flatpakID: String?, _ snapName: String?, _ labelText: String?) -> Bool {
        if let flatpakID { return flatpak == flatpakID }
        if let snapName { return snap == snapName }
        if let labelText { return label == labelText }
        return false
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
