#if canImport(Glibc)
import Glibc
#endif
import LocketCrypto
import LocketStore
import LocketSync

/// Decides whether a caller may use a namespace under the vault's access rules.
enum AccessControl {
    /// Whether `caller` may use `ns` under `programs` (the namespace's rule), or
    /// why not. `digest` gives the SHA-256 of the caller's running executable
    /// (nil: it could not be read); it is asked only when a matching program pins one.
    static func check(ns: String, programs: [AllowedProgram], caller: CallerIdentity,
                      digest: () -> String?) -> String? {
        // A sandbox identity (Flatpak app, Snap, LSM label) the rule names lets the caller in, whatever its path.
        if programs.contains(where: { caller.matchesSandbox($0.flatpak, $0.snap, $0.label) }) { return nil }
        let quoted = "namespace \"\(ns)\" has an access rule"
        guard let exe = caller.exe else {
            return "\(quoted) and this caller's executable cannot be identified (/proc/\(caller.pid)/exe is unreadable)"
        }
        if caller.exeDeleted {
            return "\(quoted) and this caller's executable \(exe) was deleted or replaced after it started"
        }
        guard let program = programs.first(where: { $0.path == exe }) else {
            return "\(quoted) that does not allow \(exe)\(sandboxNote(caller))"
        }
        guard let pinned = program.sha256 else { return nil }
        guard let actual = digest() else {
            return "\(quoted) that pins the content of \(exe); the caller's executable could not be read to check it"
        }
        return actual == pinned ? nil : "\(quoted) that pins the content of \(exe); this caller's executable does not match it"
    }

    /// ` (flatpak ID, snap NAME, label L)` naming the caller's sandbox identity, or nothing.
    static func sandboxNote(_ caller: CallerIdentity) -> String {
        let parts = [caller.flatpak.map { "flatpak \($0)" }, caller.snap.map { "snap \($0)" }, caller.label.map { "label \($0)" }]
            .compactMap { $0 }
        return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
    }

    /// Whether checking `caller` against `programs` needs its executable's digest.
    static func needsDigest(_ programs: [AllowedProgram], caller: CallerIdentity) -> Bool {
        guard let exe = caller.exe, !caller.exeDeleted else { return false }
        return programs.contains { $0.path == exe && $0.sha256 != nil }
    }
}

extension Dispatcher {
    /// The namespaces whose rule keeps `caller` out; empty when there is no
    /// rule or the rules cannot be read (locked). Blocking (it may hash the
    /// caller's executable): call it off the event loop.
    func ruledOut(_ caller: CallerIdentity) -> Set<String> {
        guard let rules = vault.cachedAccessRules ?? (try? vault.accessRules()), !rules.isEmpty else { return [] }
        var digest: String??
        var out: Set<String> = []
        for rule in rules.sorted {
            let why = AccessControl.check(ns: rule.ns, programs: rule.programs, caller: caller) {
                if digest == nil { digest = .some(digests.digest(caller)) }
                return digest!
            }
            if why != nil { out.insert(rule.ns) }
        }
        return out
    }
}

/// SHA-256 digests of running executables, by file identity, so a program is
/// hashed once however many connections it makes (until it changes on disk).
final class ExecutableDigests: Sendable {
    private let cache = Locked<[ExecutableFile: String]>([:])
    private let capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The digest of `caller`'s executable if it is already known. Never blocks on I/O.
    func cached(_ caller: CallerIdentity) -> String? {
        guard let file = caller.exeFile else { return nil }
        return cache.withLock { $0[file] }
    }

    /// The digest of the file `caller` was running at accept, reading it
    /// through `/proc/PID/exe` (so a path replaced since does not matter);
    /// nil if that is no longer the same file or cannot be read. Blocking.
    func digest(_ caller: CallerIdentity, proc: String = "/proc") -> String? {
        if let known = cached(caller) { return known }
        guard let file = caller.exeFile else { return nil }
        let fd = open("\(proc)/\(caller.pid)/exe", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard ExecutableFile(fd: fd) == file, let digest = try? FileDigest.sha256(fd: fd),
              ExecutableFile(fd: fd) == file else { return nil }
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll() }
            cache[file] = digest
        }
        return digest
    }
}
