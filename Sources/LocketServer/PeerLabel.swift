#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// The peer's LSM label from `SO_PEERSEC`: the AppArmor profile or SELinux
/// context the kernel recorded for the connecting socket at `connect` (so a
/// later `exec` does not change it). With no such LSM active the kernel
/// answers `ENOPROTOOPT` and there is no label.
enum PeerLabel {
    /// Reads the label of a connected channel; nil when the socket has none.
    static func of(_ channel: Channel) -> EventLoopFuture<String?> {
        guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<LabelBuffer> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERSEC))
        return future.map { buffer in
            withUnsafeBytes(of: buffer) { parse(Array($0)) }
        }.recover { _ in nil }
    }

    /// The label in `bytes` as `SO_PEERSEC` fills them: text up to the first NUL,
    /// without a trailing newline and without AppArmor's mode suffix
    /// (` (enforce)`, ` (complain)`, ` (kill)`, ` (unconfined)`, ` (prompt)`).
    /// nil for no label or AppArmor's `unconfined`.
    static func parse(_ bytes: [UInt8]) -> String? {
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        var text = String(decoding: bytes[..<end], as: UTF8.self)
        while text.last == "\n" || text.last == " " { text.removeLast() }
        for mode in [" (enforce)", " (complain)", " (kill)", " (unconfined)", " (prompt)", " (user)", " (mixed)"] where text.hasSuffix(mode) {
            text.removeLast(mode.count)
            break
        }
        guard !text.isEmpty, text != "unconfined", !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            return nil
        }
        return text
    }
}

/// 1 KiB for `getsockopt(SO_PEERSEC)`, zero-filled (NIO sizes the option by the type).
/// A longer label fails with `ERANGE`: no label, so no label rule matches.
struct LabelBuffer {
    var a: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var b: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var c: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var d: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}
