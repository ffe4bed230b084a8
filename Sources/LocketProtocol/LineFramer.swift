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
        guard !failed else { return [] }
        var frames: [Frame] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: 0x0a) {
            guard bytes.distance(from: start, to: newline) + buffer.count <= maxLineBytes + 1 else {
                failed = true
                buffer = []
                return frames + [.tooLong]
            }
            buffer.append(contentsOf: bytes[start..<newline])
            start = bytes.index(after: newline)
            if buffer.last == 0x0d { buffer.removeLast() }
            if buffer.count > maxLineBytes {
                failed = true
                return frames + [.tooLong]
            }
            frames.append(.line(buffer))
            buffer.removeAll(keepingCapacity: true)
        }
        // Never hold more than the limit plus one byte (a '\r' that the next '\n' would remove).
        let rest = bytes[start...]
        buffer.append(contentsOf: rest.prefix(maxLineBytes + 2 - buffer.count))
        if buffer.count > maxLineBytes + 1 {
            failed = true
            buffer = []
            frames.append(.tooLong)
        }
        return frames
    }

    /// Bytes held for an unfinished line.
    public var pendingBytes: Int { buffer.count }
}
