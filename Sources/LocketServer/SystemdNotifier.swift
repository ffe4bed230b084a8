#if canImport(Glibc)
import Glibc
#endif

/// `sd_notify` without libsystemd: one datagram to `$NOTIFY_SOCKET`
/// (a path, or an abstract socket when it starts with `@`).
public enum SystemdNotifier {
    /// Sends `state` (e.g. "READY=1") if `NOTIFY_SOCKET` is set; returns whether it was sent.
    @discardableResult
    public static func notify(_ state: String, environment: [String: String]) -> Bool {
        notify(state, socket: environment["NOTIFY_SOCKET"])
    }

    /// Sends `state` to the notification socket `path` (as `$NOTIFY_SOCKET` gives it); nil: nowhere.
    @discardableResult
    public static func notify(_ state: String, socket path: String?) -> Bool {
        guard let path, !path.isEmpty, path.utf8.count < 108 else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length) }
            }
        }
        return sent == message.count
    }
}
