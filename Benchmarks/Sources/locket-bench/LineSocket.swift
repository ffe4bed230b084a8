import Glibc

/// One blocking Unix-socket connection speaking lines: the same code times
/// the raw echo floor and `locketd`, so the only difference is the server.
final class LineSocket {
    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0
    private var end = 0

    init(path: String) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        if fd < 0 { fatal("socket() failed") }
        guard let result = withUnixAddress(path, { connect(fd, $0, $1) }) else { fatal("socket path too long: \(path)") }
        if result != 0 { fatal("cannot connect to \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Whether something accepts connections at `path`.
    static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return withUnixAddress(path, { connect(fd, $0, $1) }) == 0
    }

    /// Writes all of `bytes`.
    func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { fatal("send failed: \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
    }

    /// Reads one line; its length without the newline. `keep` copies it out.
    @discardableResult
    func readLine(keep: Bool = false) -> (length: Int, line: [UInt8]?) {
        while true {
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                let line = keep ? Array(buffer[start..<newline]) : nil
                let length = newline - start
                start = newline + 1
                if start == end { start = 0; end = 0 }
                return (length, line)
            }
            if start > 0 {
                _ = buffer.withUnsafeMutableBytes { raw in
                    memmove(raw.baseAddress!, raw.baseAddress! + start, end - start)
                }
                end -= start
                start = 0
            }
            if end == buffer.count { fatal("line over \(buffer.count) bytes") }
            let count = buffer.withUnsafeMutableBytes { raw in
                recv(fd, raw.baseAddress! + end, raw.count - end, 0)
            }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { fatal("connection closed while reading a line") }
            end += count
        }
    }

    /// One request, one answer (kept).
    func call(_ line: [UInt8]) -> [UInt8] {
        send(line)
        return readLine(keep: true).line!
    }
}
