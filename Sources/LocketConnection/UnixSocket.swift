#if canImport(Glibc)
import Glibc
#endif
import LocketProtocol

/// A blocking Unix stream socket: sends wait at most the timeout given at
/// connect, each `readLine` at most its own (in all, not per `recv`). No NIO: any app can link this cheaply.
package final class UnixSocket {
    private(set) var fd: Int32
    /// Splits what arrives into answer lines, holding at most `maxLineBytes` + 1 of an unfinished one.
    private var framer: LineFramer
    /// Lines read but not yet returned (a read may bring several).
    private var lines: [[UInt8]] = []
    /// The socket's SO_RCVTIMEO in microseconds (0: for ever, the default).
    private var receiveTimeoutMicros = 0
    /// Where `recv` writes: allocated once per socket and never zero-filled, so a
    /// read touches only the pages its bytes land in (a fresh zeroed 64 KiB array
    /// per read cost a short-lived helper 16 page faults, and every `get` the
    /// zeroing); wiped after each read, since answers carry secrets.
    /// Allocated last in `init`, once nothing can fail: a throwing `init` does not
    /// run `deinit`, and a buffer allocated earlier would leak.
    private let receiveBuffer: UnsafeMutableRawBufferPointer

    /// Connects to `path`; `daemonNotRunning` when nothing listens there. Checks
    /// first that the socket's folder is private to us, and after connecting that
    /// the listener runs as our uid (or root), before anything is sent (`DaemonCheck`).
    /// An answer line longer than `maxLineBytes` fails with `answerTooLong`.
    package init(path: String, timeout: Double, maxLineBytes: Int = ProtocolLimits.maxAnswerLineBytes) throws(LocketError) {
        framer = LineFramer(maxLineBytes: maxLineBytes)
        guard path.utf8.count < 108 else { throw .connectionFailed("socket path is too long: \(path)") }
        try DaemonCheck.checkFolder(of: path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connectionFailed("socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            let code = errno
            close(fd)
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
            throw error
        }
        self.fd = fd
        receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
    }

    deinit {
        if fd >= 0 { close(fd) }
        receiveBuffer.deallocate()
    }

    /// Whether the peer has closed (or the socket broke) while idle: checked before reusing it.
    var isStale: Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        if poller.revents & Int16(POLLHUP | POLLERR) != 0 { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0
    }

    package func send(_ bytes: [UInt8]) throws(LocketError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(LocketError) in try send(raw) } }.get()
    }

    /// Sends all of `bytes` (a buffer the caller owns and wipes, for secrets).
    package func send(_ bytes: UnsafeRawBufferPointer) throws(LocketError) {
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

    /// Shuts both directions down (a read blocked in another thread returns); the fd stays open until deinit.
    package func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Like `readLine` with no timeout, but nil when the peer closed with no partial line left.
    package func readLineUntilClosed() throws(LocketError) -> [UInt8]? {
        let result = Result { () throws(LocketError) in try readLine(timeout: nil) }
        if case .failure(.connectionFailed) = result, framer.pendingBytes == 0 { return nil }
        return try result.get()
    }

    /// Reads one `\n`-terminated line (without the `\n`), waiting at most
    /// `timeout` seconds in all (nil: for ever), however the bytes trickle in.
    package func readLine(timeout: Double?) throws(LocketError) -> [UInt8] {
        let deadline = timeout.map { Self.monotonicNanoseconds() + UInt64(max(0, $0) * 1e9) }
        var wait = timeout
        while lines.isEmpty {
            // One blocking recv per read in the common case (no poll): the wait is the socket's receive timeout.
            setReceiveTimeout(wait)
            let n = recv(fd, receiveBuffer.baseAddress, receiveBuffer.count, 0)
            if n < 0 {
                guard errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK else {
                    throw .connectionFailed("recv: \(String(cString: strerror(errno)))")
                }
            } else if n == 0 {
                throw .connectionFailed("locketd closed the connection")
            } else {
                let frames = framer.feed(UnsafeRawBufferPointer(rebasing: receiveBuffer[..<n]))
                explicit_bzero(receiveBuffer.baseAddress!, n)
                for frame in frames {
                    switch frame {
                    case .line(let line): lines.append(line)
                    case .tooLong: throw .answerTooLong(limit: framer.maxLineBytes)
                    }
                }
            }
            if lines.isEmpty, let deadline, let timeout {
                let now = Self.monotonicNanoseconds()
                guard now < deadline else { throw .timedOut(seconds: timeout) }
                wait = Double(deadline - now) / 1e9
            }
        }
        return lines.removeFirst()
    }

    /// Sets how long one `recv` waits (nil: for ever), only when that changes:
    /// reads usually wait as long as the one before.
    private func setReceiveTimeout(_ seconds: Double?) {
        // 0 would mean for ever: a wait is at least 1 µs.
        let micros = seconds.map { max(1, Int(($0 * 1e6).rounded(.up))) } ?? 0
        guard micros != receiveTimeoutMicros else { return }
        receiveTimeoutMicros = micros
        var time = timeval(tv_sec: micros / 1_000_000, tv_usec: micros % 1_000_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
