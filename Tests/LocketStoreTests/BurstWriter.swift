// Drives the `locket-burst-writer` child process: starts it, reads its
// "ready" and "ack <key> <version>" lines, and kills it with SIGKILL.
import Foundation
import LocketTestSupport

final class BurstWriter: @unchecked Sendable {
    struct Ack: Hashable {
        let key: String
        let version: Int
        let writer: Int
        let n: Int

        /// The value the writer put under `key`.
        var value: [UInt8] { Array("{\"n\":\(n),\"w\":\(writer)}".utf8) }
    }

    let process = Process()
    private let output: FileHandle
    private var buffer: [UInt8] = []
    private var atEnd = false
    /// Lines that were neither "ready" nor a well-formed ack (e.g. "error …").
    private(set) var otherLines: [String] = []

    init(dataDirectory: String, writers: Int, putsPerWriter: Int) throws {
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: Subprocess.product("locket-burst-writer"))
        process.arguments = [dataDirectory, String(writers), String(putsPerWriter)]
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Only the child may hold the write end, so EOF comes when it dies.
        try? pipe.fileHandleForWriting.close()
        output = pipe.fileHandleForReading
    }

    /// Reads lines until "ready"; false at end of output (the child failed).
    func waitForReady() throws -> Bool {
        while let line = try nextLine() {
            if line == "ready" { return true }
            otherLines.append(line)
        }
        return false
    }

    /// Reads acks until `count` were seen (or the output ended).
    func readAcks(atLeast count: Int) throws -> [Ack] {
        var acks: [Ack] = []
        while acks.count < count, let line = try nextLine() {
            if let ack = Self.parse(line) { acks.append(ack) } else { otherLines.append(line) }
        }
        return acks
    }

    /// Reads every remaining complete line (after the child died).
    func readRemainingAcks() throws -> [Ack] {
        try readAcks(atLeast: .max)
    }

    /// SIGKILL, then reap the child (so its flock is surely released).
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    static func parse(_ line: String) -> Ack? {
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[0] == "ack", let version = Int(parts[2]) else { return nil }
        let keyParts = parts[1].split(separator: "-")
        guard keyParts.count == 3, keyParts[0] == "burst", let writer = Int(keyParts[1]), let n = Int(keyParts[2]) else { return nil }
        return Ack(key: String(parts[1]), version: version, writer: writer, n: n)
    }

    /// The next complete line, or nil at end of output. A partial last line is dropped.
    private func nextLine() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0a) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if atEnd { return nil }
            let chunk = try output.read(upToCount: 64 * 1024) ?? Data()
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    deinit {
        kill()
    }
}
