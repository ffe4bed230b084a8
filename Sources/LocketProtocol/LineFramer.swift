#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into lines: `\n` ends a line and a `\r` before it is
/// dropped. A line longer than the limit is reported once as `.tooLong`, after
/// which nothing more is framed; no more than `maxLineBytes` + 1 bytes are ever
/// buffered. The clients read answer lines with it (`UnixSocket`, capped at
/// `ProtocolLimits.maxAnswerLineBytes`); for request lines it is the reference
/// the daemon's NIO decoder (`LineFrameDecoder`) is checked against (protocol
/// vectors, fuzzing), where `.tooLong` means: answer `too_large` and close.
public struct LineFramer: Sendable {
    public enum Frame: Equatable, Sendable {
        case line([UInt8])
        case tooLong
    }

    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var failed = false

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds bytes; returns the frames they complete.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [Frame] {
        if let frames = bytes.withContiguousStorageIfAvailable({ feed(contiguous: $0) }) { return frames }
        return Array(bytes).withUnsafeBufferPointer { feed(contiguous: $0) }
    }

    /// The work of `feed`, on contiguous bytes (not generic: `memchr` finds each newline).
    private mutating func feed(contiguous bytes: UnsafeBufferPointer<UInt8>) -> [Frame] {
        guard !failed else { return [] }
        var frames: [Frame] = []
        var start = 0
        while let newline = Self.newline(in: bytes, from: start) {
            guard newline - start + buffer.count <= maxLineBytes + 1 else {
                failed = true
                buffer = []
                return frames + [.tooLong]
            }
            let piece = UnsafeBufferPointer(rebasing: bytes[start..<newline])
            var line: [UInt8]
            if buffer.isEmpty {
                line = Array(piece)
            } else {
                line = buffer
                line.append(contentsOf: piece)
                buffer = []
            }
            start = newline + 1
            if line.last == 0x0d { line.removeLast() }
            if line.count > maxLineBytes {
                failed = true
                return frames + [.tooLong]
            }
            frames.append(.line(line))
        }
        // Never hold more than the limit plus one byte (a '\r' that the next '\n' would remove).
        let keep = min(bytes.count - start, maxLineBytes + 2 - buffer.count)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<start + keep]))
        if buffer.count > maxLineBytes + 1 {
            failed = true
            buffer = []
            frames.append(.tooLong)
        }
        return frames
    }

    /// The index of the first `\n` at or after `start`.
    private static func newline(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress,
              let found = memchr(base + start, 0x0a, bytes.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Bytes held for an unfinished line.
    public var pendingBytes: Int { buffer.count }
}
