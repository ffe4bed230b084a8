import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A user whose daemon an `Impostor` impersonates: a uid with no passwd
/// entry (setpriv needs none), its own HOME, and copies of the package's
/// binaries in a 0755 folder (the checkout may not be readable by it). Its
/// commands run without `XDG_RUNTIME_DIR` or `LOCKET_SOCKET`, so clients use
/// the fallback socket `/tmp/locket-UID/locket.sock`.
public final class Victim: @unchecked Sendable {
    public let uid: UInt32
    /// Owned by the victim, 0700: HOME, passphrase files.
    public let home: TemporaryFolder
    /// Root-owned, 0755: the copied binaries.
    private let binaries: TemporaryFolder

    /// `uid` should be unique to the test (tests run in parallel); its fallback
    /// socket folder is removed first, in case an earlier run left it.
    public init(uid: UInt32, binaries names: [String] = ["locket", "git-credential-locket"]) throws {
        self.uid = uid
        home = TemporaryFolder("locket-victim")
        chown(home.path, uid, uid)
        binaries = TemporaryFolder("locket-victim-bin")
        chmod(binaries.path, 0o755)
        for name in names {
            let copy = binaries.appending(name)
            try FileManager.default.copyItem(atPath: Subprocess.product(name), toPath: copy)
            chmod(copy, 0o755)
        }
        removeFallbackFolder()
    }

    deinit { removeFallbackFolder() }

    /// `/tmp/locket-UID`, where its clients look without `XDG_RUNTIME_DIR`.
    public var fallbackFolder: String { "/tmp/locket-\(uid)" }
    /// `/tmp/locket-UID/locket.sock`.
    public var fallbackSocket: String { "\(fallbackFolder)/locket.sock" }

    /// The copy of the package's binary `name`.
    public func binary(_ name: String) -> String { binaries.appending(name) }

    /// Writes `text` to a file in the victim's home, owned by it (0600).
    public func file(_ name: String, _ text: String) throws -> String {
        let path = home.appending(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        chown(path, uid, uid)
        return path
    }

    /// Runs the copied binary `name` as the victim, with only PATH and HOME set.
    public func run(_ name: String, _ arguments: [String], input: String? = nil, timeout: Double = 60) throws -> ProcessOutput {
        try Subprocess.run("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--", binary(name)] + arguments,
                           environment: ["PATH": "/usr/bin:/bin", "HOME": home.path], input: input, timeout: timeout)
    }

    private func removeFallbackFolder() {
        _ = try? Subprocess.run("/bin/rm", ["-rf", fallbackFolder])
    }
}
