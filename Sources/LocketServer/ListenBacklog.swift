#if canImport(Glibc)
import Glibc
#endif

/// How many connections may wait for `accept`: the system's maximum
/// (`net.core.somaxconn`), as systemd's `.socket` units use. A burst of
/// clients connecting at once (500 at login, a build farm of git helpers)
/// then waits in the queue instead of getting `EAGAIN` from a non-blocking
/// `connect` (a client with a connect timeout) while the daemon catches up.
/// A socket systemd passes in is set to it again after NIO adopts it (NIO's
/// own `listen` would leave 128).
enum ListenBacklog {
    /// Used when `/proc/sys/net/core/somaxconn` cannot be read (Linux's default since 5.4).
    static let fallback: Int32 = 4096

    /// `net.core.somaxconn`, or `fallback`.
    static var system: Int32 {
        guard let text = read("/proc/sys/net/core/somaxconn"),
              let value = Int32(String(text.prefix { $0.isNumber })), value > 0 else { return fallback }
        return value
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 32)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
