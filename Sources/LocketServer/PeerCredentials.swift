#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// The peer of a Unix-socket connection, from SO_PEERCRED (read by the kernel at connect time).
struct PeerCredentials: Sendable, Equatable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32

    /// Reads the credentials of a connected channel; nil if the socket does not say.
    /// (Never `wait()`s: it runs in the child initializer, on the event loop.)
    static func of(_ channel: Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<RawCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future
            .map { Optional(PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid)) }
            .recover { _ in Optional<PeerCredentials>.none }
    }
}

/// The kernel's `struct ucred` (pid, uid, gid); Glibc only declares it under _GNU_SOURCE.
private struct RawCredentials {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
