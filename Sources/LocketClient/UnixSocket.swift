#if canImport(Glibc)
import Glibc
#endif

/// A blocking Unix stream socket with a receive/send timeout. No NIO: any app can link this cheaply.
final class UnixSocket {
    private(set) var fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `path`; `daemonNotRunning` when nothing listens there. Checks
    /// first that the socket's folder is private to us, and after connecting that
    /// the listener runs as our uid (or root), before anything is sent (`DaemonCheck`).
    init(path: String, timeout: Double) throws(LocketError) {
        guard path.utf8.count < 108 else { throw .connectionFailed("socket path is too long: \(path)") }
        try DaemonCheck.checkFolder(of: path)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connectionFailed("socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            let code = errno
            close(fd)
            fd = -1
            switch code {
            case ENOENT, ECONNREFUSED, ENOTDIR: throw .daemonNotRunning(socketPath: path)
            case EACCES, EPERM: throw .forbidden("cannot open \(path): \(String(cString: strerror(code)))")
            default: throw .connectionFailed("connect(\(path)): \(String(cString: strerror(code)))")
            }
        }
        do {
            try DaemonCheck.checkPeer(fd: fd, socketPath: path)
        } catch {
            close(fd)
            fd = -1
            throw error
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether the peer has closed (or the socket broke) while idle: checked before reusing it.
    var isStale: Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        if poller.revents & Int16(POLLHUP | POLLERR) != 0 { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0
    }

    func send(_ bytes: [UInt8]) throws(LocketError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(LocketError) in try send(raw) } }.get()
    }

    /// Sends all of `bytes` (a buffer the caller owns and wipes, for secrets).
    func send(_ bytes: UnsafeRawBufferPointer) throws(LocketError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut(seconds: 0) }
                throw .connectionFailed("send: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Sets how long a read waits (nil: for ever).
    func setReceiveTimeout(_ seconds: Double?) {
        let seconds = seconds ?? 0
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Shuts both directions down (a read blocked in another thread returns); the fd stays open until deinit.
    func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Like `readLine`, but nil when the peer closed with no partial line left.
    func readLineUntilClosed() throws(LocketError) -> [UInt8]? {
        let result = Result { () throws(LocketError) in try readLine(timeout: 0) }
        if case .failure(.connectionFailed) = result, buffer.isEmpty { return nil }
        return try result.get()
    }

    /// Reads one `\n`-terminated line (without the `\n`).
    func readLine(timeout: Double) throws(LocketError) -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: 0x0a) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut(seconds: timeout) }
                throw .connectionFailed("recv: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw .connectionFailed("locketd closed the connection") }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}
