#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketProtocol

/// Turns what the user gave `put` into the JSON text sent to the daemon.
enum ValueInput {
    /// Trims surrounding whitespace, checks the text is one JSON value within the
    /// protocol's limits, and compacts a multi-line value (the protocol carries
    /// one line; a single-line value is sent byte for byte).
    static func prepare(_ input: [UInt8], from source: String) throws(Failure) -> [UInt8] {
        let text = trimmed(input)
        guard !text.isEmpty else { throw .usage("no value: \(source) is empty") }
        let limits = ProtocolLimits.standard
        // The request object is the first level, so a value may nest one level less.
        let checked = text.withUnsafeBytes { raw in
            Result { () throws(ProtocolError) in try JSONScanner.validate(raw, maxDepth: limits.maxDepth - 1) }
        }
        if case .failure(let error) = checked {
            var message = error.message
            if message.hasPrefix("invalid JSON ") { message = "invalid JSON value " + message.dropFirst(13) }
            else { message = "invalid JSON value: " + message }
            if ![UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\"")].contains(text[0]) {
                message += #" (to store text, quote it as a JSON string: '"text"')"#
            }
            throw .usage(message)
        }
        let value = text.contains(where: { $0 == 0x0a || $0 == 0x0d }) ? compacted(text) : text
        guard value.count <= limits.maxValueBytes else {
            throw .usage("the value is \(value.count) bytes of JSON; the limit is \(limits.maxValueBytes)")
        }
        return value
    }

    /// Reads all of stdin; on a terminal, says how to end the input first.
    static func readStandardInput() throws(Failure) -> [UInt8] {
        if isatty(0) == 1 { Output.standardError("locket: reading the JSON value from stdin; end it with Ctrl-D\n") }
        return try readAll(0, name: "stdin")
    }

    /// Reads a whole file; a usage error naming the file when it cannot be read.
    static func readFile(_ path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .usage("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try readAll(fd, name: path)
    }

    /// Reads `fd` to its end; a usage error naming `name` when a read fails.
    static func readAll(_ fd: Int32, name: String) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .usage("cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<n])
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
              let last = bytes.lastIndex(where: { !isWhitespace($0) }) else { return [] }
        return Array(bytes[first...last])
    }

    /// Drops the whitespace between tokens of valid JSON (strings are kept as they are).
    private static func compacted(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var inString = false, escaped = false
        for byte in json {
            if inString {
                out.append(byte)
                if escaped { escaped = false }
                else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
            } else if !isWhitespace(byte) {
                out.append(byte)
                if byte == UInt8(ascii: "\"") { inString = true }
            }
        }
        return out
    }
}
