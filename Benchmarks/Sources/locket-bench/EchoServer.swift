import Foundation
import Glibc

/// The floor: a Unix-socket server that answers each line with a fixed line.
/// A connection first sends `SIZE n`; every later line is answered with n
/// bytes and a newline (so the floor moves as many bytes as `locketd` does).
/// One thread per connection, blocking I/O: the least a server can do.
enum EchoServer {
    static func run(path: String) -> Never {
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = withUnixAddress(path, { bind(listener, $0, $1) })
        if bound != 0 || listen(listener, 512) != 0 { fatal("echo server cannot listen on \(path)") }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            let thread = Thread { serve(fd) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private static func serve(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var pending: [UInt8] = []
        var reply: [UInt8]? = nil
        var out: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { close(fd); return }
            var lineStart = 0
            out.removeAll(keepingCapacity: true)
            for index in 0..<count where buffer[index] == 0x0A {
                if let reply {
                    out += reply
                } else {
                    pending += buffer[lineStart..<index]
                    let text = String(decoding: pending, as: UTF8.self)
                    let size = Int(text.split(separator: " ").last ?? "") ?? 0
                    reply = [UInt8](repeating: UInt8(ascii: "x"), count: size) + [0x0A]
                }
                lineStart = index + 1
            }
            if reply == nil { pending += buffer[lineStart..<count] }
            if !out.isEmpty {
                let ok = out.withUnsafeBytes { raw -> Bool in
                    var offset = 0
                    while offset < raw.count {
                        let written = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                        if written <= 0 { return false }
                        offset += written
                    }
                    return true
                }
                if !ok { close(fd); return }
            }
        }
    }
}
