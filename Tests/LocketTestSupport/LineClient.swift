import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking client for a line protocol on a Unix stream socket, for
/// tests that drive a real daemon byte by byte: plain `socket`/`connect`/
/// `send`/`recv`, every wait bounded by a deadline (`poll`), so a daemon that
/// stalls fails the test instead of hanging it. Not thread-safe: one thread
/// per client (several clients may run on several threads).
public final class LineClient: @unchecked Sendable {
    /// Why a call did not deliver what was asked.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// `connect` failed with this errno (e.g. EACCES, ECONNREFUSED, ENOENT).
        case cannotConnect(path: String, errno: Int32)
        /// Nothing (or not enough) arrived before the deadline.
        case timedOut(String)
        /// The peer closed (EOF or reset) before a complete line; `pending` is what came before.
        case closed(pending: [UInt8])
        /// Another socket error (errno).
        case io(String, errno: Int32)

        public var description: String {
            switch self {
            case .cannotConnect(let path, let code): "cannot connect to \(path): \(String(cString: strerror(code)))"
            case .timedOut(let what): "timed out: \(what)"
            case .closed(let pending): "the peer closed the connection (\(pending.count) bytes of an unfinished line before it)"
            case .io(let what, let code): "\(what): \(String(cString: strerror(code)))"
            }
        }
    }

    /// The socket path connected to.
    public let path: String
    /// Default deadline of each read, in seconds.
    public var timeout: Double
    private var fd: Int32
    /// Bytes received but not returned yet (at most one unfinished line plus whole lines).
    private var buffer: [UInt8] = []
    private var sawEOF = false

    /// Connects to `path`; throws `.cannotConnect` with the errno on failure.
    public init(path: String, timeout: Double = 10) throws {
        self.path = path
        self.timeout = timeout
        fd = try Self.connectedSocket(path)
    }

    deinit { close() }

    /// Whether a connection to `path` succeeds right now (it is closed again at once).
    public static func canConnect(_ path: String) -> Bool {
        guard let fd = try? connectedSocket(path) else { return false }
        Glibc.close(fd)
        return true
    }

    /// A connected socket (close-on-exec, so children spawned meanwhile do not inherit it).
    static func connectedSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.io("socket", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(fd)
            throw Failure.cannotConnect(path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure.cannotConnect(path: path, errno: code)
        }
        return fd
    }

    // MARK: - Sending

    /// Writes all of `bytes` (waiting for room up to `timeout`). Throws `.closed`
    /// when the peer has gone (EPIPE/ECONNRESET); no SIGPIPE is raised.
    public func send(_ bytes: [UInt8], timeout: Double? = nil) throws {
        let deadline = Date().addingTimeInterval(timeout ?? self.timeout)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if sent > 0 { offset += sent; continue }
            let code = errno
            if sent < 0, code == EINTR { continue }
            if sent < 0, code == EAGAIN || code == EWOULDBLOCK {
                try waitFor(Int16(POLLOUT), until: deadline, what: "room to send (\(offset) of \(bytes.count) bytes sent)")
                continue
            }
            if code == EPIPE || code == ECONNRESET { throw Failure.closed(pending: []) }
            throw Failure.io("send", errno: code)
        }
    }

    /// Writes the UTF-8 of `text` as it is.
    public func send(_ text: String, timeout: Double? = nil) throws {
        try send(Array(text.utf8), timeout: timeout)
    }

    /// Writes `line` and a "\n".
    public func sendLine(_ line: String) throws {
        try send(Array(line.utf8) + [0x0a])
    }

    /// Half-closes: the peer reads EOF; answers can still be read.
    public func shutdownWrite() {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    // MARK: - Receiving

    /// The next line without its "\n", as bytes. Throws `.closed` at EOF first,
    /// `.timedOut` when no complete line arrives in time.
    public func readLineBytes(timeout: Double? = nil) throws -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout ?? self.timeout)
        while true {
            if let newline = buffer.firstIndex(of: 0x0a) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            if sawEOF { throw Failure.closed(pending: buffer) }
            try fill(until: deadline, what: "a response line")
        }
    }

    /// The next line without its "\n", decoded as UTF-8.
    public func readLine(timeout: Double? = nil) throws -> String {
        String(decoding: try readLineBytes(timeout: timeout), as: UTF8.self)
    }

    /// The next `count` lines, all within one deadline.
    public func readLines(_ count: Int, timeout: Double? = nil) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout ?? self.timeout)
        return try (0..<count).map { _ in try readLine(timeout: max(0, deadline.timeIntervalSinceNow)) }
    }

    /// Sends one request line and reads its answer line.
    public func request(_ line: String) throws -> String {
        try sendLine(line)
        return try readLine()
    }

    /// Sends one request line and parses its answer as a JSON object.
    public func requestJSON(_ line: String) throws -> [String: Any] {
        try Self.object(try request(line))
    }

    /// Reads until the peer closes, returning whatever arrived first (lines and all).
    /// Throws `.timedOut` if it is still open at the deadline.
    public func readUntilClosed(timeout: Double? = nil) throws -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout ?? self.timeout)
        while !sawEOF { try fill(until: deadline, what: "the peer to close the connection") }
        defer { buffer.removeAll() }
        return buffer
    }

    /// Whether the peer closes within `seconds` (data arriving meanwhile is kept for `readLine`).
    public func closes(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !sawEOF {
            do { try fill(until: deadline, what: "close") } catch { return sawEOF }
        }
        return true
    }

    /// Whether the peer has been seen closing (EOF or reset).
    public var peerClosed: Bool { sawEOF }

    /// Closes the socket (idempotent).
    public func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Reads what is available (waiting until `deadline`) into the buffer; notes EOF.
    private func fill(until deadline: Date, what: String) throws {
        try waitFor(Int16(POLLIN), until: deadline, what: what)
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count > 0 {
            buffer.append(contentsOf: chunk[..<count])
        } else if count == 0 {
            sawEOF = true
        } else {
            let code = errno
            if code == EINTR || code == EAGAIN || code == EWOULDBLOCK { return }
            // A Unix socket whose peer closed with unread input reports ECONNRESET after the data.
            if code == ECONNRESET || code == EPIPE { sawEOF = true; return }
            throw Failure.io("recv", errno: code)
        }
    }

    private func waitFor(_ events: Int16, until deadline: Date, what: String) throws {
        guard fd >= 0 else { throw Failure.io("socket already closed", errno: EBADF) }
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { throw Failure.timedOut("waiting for \(what) on \(path)") }
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 1000).rounded(.up)))
            if ready > 0 { return }
            if ready < 0, errno != EINTR { throw Failure.io("poll", errno: errno) }
        }
    }

    // MARK: - JSON

    /// Parses one response line as a JSON object (numbers as `NSNumber`).
    public static func object(_ line: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Failure.io("not a JSON object: \(line.prefix(200))", errno: 0)
        }
        return object
    }

    /// The `error.code` of a failure line, or nil for a success (or no error member).
    public static func errorCode(_ line: String) -> String? {
        guard let object = try? object(line), let error = object["error"] as? [String: Any] else { return nil }
        return error["code"] as? String
    }
}
