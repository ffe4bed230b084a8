import Foundation
import FuzzSupport

/// One client connection: sends the whole input, half-closes, and reads every
/// byte the daemon answers until it closes. Writing and reading interleave
/// (poll), so a daemon that stops reading until its answers are read (its
/// backpressure) cannot deadlock the exchange.
enum Exchange {
    /// How long one input may take before it counts as a hang.
    static let deadlineSeconds = 30.0

    /// The daemon's answer bytes, in order.
    static func run(_ input: UnsafeRawBufferPointer, socketPath: String) -> [UInt8] {
        let fd = connect(socketPath)
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)

        var sent = 0
        var writing = true
        if input.isEmpty { shutdown(fd, Int32(SHUT_WR)); writing = false }
        var answers: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = Date().addingTimeInterval(deadlineSeconds)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { Invariant.fail("progress: the daemon answers and closes within \(Int(deadlineSeconds)) s") }
            var poller = pollfd(fd: fd, events: Int16(POLLIN) | (writing ? Int16(POLLOUT) : 0), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left, 1) * 1000))
            if ready < 0 {
                if errno == EINTR { continue }
                Invariant.fail("harness: poll failed (errno \(errno))")
            }
            if writing, poller.revents & (Int16(POLLOUT) | Int16(POLLERR) | Int16(POLLHUP)) != 0 {
                let count = send(fd, input.baseAddress! + sent, min(input.count - sent, 64 * 1024), Int32(MSG_NOSIGNAL))
                if count > 0 {
                    sent += count
                    if sent == input.count { shutdown(fd, Int32(SHUT_WR)); writing = false }
                } else if count < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                    // The daemon closed (after a line over the limit): the rest is not read.
                    writing = false
                }
            }
            if poller.revents & (Int16(POLLIN) | Int16(POLLERR) | Int16(POLLHUP)) != 0 {
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
                if count > 0 {
                    answers.append(contentsOf: chunk[0..<count])
                } else if count == 0 {
                    return answers
                } else if errno == ECONNRESET {
                    return answers
                } else if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                    Invariant.fail("harness: recv failed (errno \(errno))")
                }
            }
        }
    }

    /// A connected Unix socket to `path`.
    private static func connect(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { Invariant.fail("harness: socket() failed (errno \(errno))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { Invariant.fail("harness: socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { Invariant.fail("accept: locketd accepts a connection (errno \(errno))") }
        return fd
    }
}
