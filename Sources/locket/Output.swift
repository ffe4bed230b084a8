#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketProtocol

/// Unbuffered writes to stdout and stderr (values are bytes, not always valid text).
enum Output {
    static func standardOutput(_ bytes: [UInt8]) { write(1, bytes) }
    static func standardOutput(_ text: String) { write(1, Array(text.utf8)) }
    static func standardError(_ text: String) { write(2, Array(text.utf8)) }

    /// One line on stdout.
    static func line(_ text: String) { standardOutput(text + "\n") }

    private static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}

/// One JSON value written by `body` on the shared writer, then a newline: what `--json` prints.
func jsonLine(_ body: (inout JSONWriter) -> Void) -> [UInt8] {
    var writer = JSONWriter()
    body(&writer)
    writer.newline()
    return writer.bytes
}

/// Left-aligned columns separated by two spaces, no trailing blanks. Every
/// cell is shown through `Printable.escape`: no control character reaches the terminal.
func table(_ rows: [[String]]) -> String {
    let rows = rows.map { $0.map(Printable.escape) }
    let columns = rows.map(\.count).max() ?? 0
    var widths = [Int](repeating: 0, count: columns)
    for row in rows {
        for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    return rows.map { row in
        row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
        }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
}

/// A readable duration: `42s`, `3m 5s`, `2h 0m 7s`, `4d 1h 2m`.
func readableDuration(_ seconds: Int) -> String {
    let days = seconds / 86_400, hours = seconds % 86_400 / 3600, minutes = seconds % 3600 / 60, rest = seconds % 60
    if days > 0 { return "\(days)d \(hours)h \(minutes)m" }
    if hours > 0 { return "\(hours)h \(minutes)m \(rest)s" }
    if minutes > 0 { return "\(minutes)m \(rest)s" }
    return "\(rest)s"
}
