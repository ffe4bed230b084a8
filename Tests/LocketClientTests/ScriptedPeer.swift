import Foundation
import LocketTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A Unix socket listener in a private temporary folder that stands for a
/// daemon gone wrong: it accepts one connection and then misbehaves as told
/// (never answers, trickles bytes of a line that never ends, sends an endless
/// line). Real sockets, real bytes; only the peer's behaviour is scripted.
final class ScriptedPeer: @unchecked Sendable {
    enum Script: Sendable {
        /// Reads nothing, writes nothing, keeps the connection open.
        case mute
        /// Writes one byte (no newline) every `interval` seconds, for ever.
        case trickle(interval: Double)
        /// Writes `bytes` bytes with no newline as fast as the client reads, then keeps the connection open.
        case endlessLine(bytes: Int)
    }

    let folder = TemporaryFolder("locket-peer")
    let path: String
    private let listener: Int32
    private let done = DispatchSemaphore(value: 0)
    private let stopping = NSLock()
    private var stopped = false

    init(_ script: Script) throws {
        path = folder.appending("peer.sock")
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
        let thread = Thread { [self] in serve(script) }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { stop() }

    /// Closes the listener and the connection; the serving thread ends.
    func stop() {
        let first = stopping.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = done.wait(timeout: .now() + 30)
    }

    private var isStopped: Bool { stopping.withLock { stopped } }

    private func serve(_ script: Script) {
        defer { done.signal() }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        switch script {
        case .mute:
            while !isStopped { usleep(20_000) }
        case .trickle(let interval):
            var byte = UInt8(ascii: "x")
            while !isStopped, send(connection, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 {
                usleep(UInt32(interval * 1_000_000))
            }
        case .endlessLine(let total):
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 65536)
            var sent = 0
            while sent < total, !isStopped {
                let n = chunk.withUnsafeBytes { send(connection, $0.baseAddress, min($0.count, total - sent), Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { return }
                sent += n
            }
            while !isStopped { usleep(20_000) }
        }
    }
}
