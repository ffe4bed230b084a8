import NIOCore

/// One request line, or the news that a line went over the limit, or that the
/// daemon's buffers are full while this connection's unfinished line grows.
enum InboundFrame {
    case line(ByteBuffer)
    case tooLong
    case overBudget
}

/// Frames `\n`-terminated lines (a `\r` before the `\n` is dropped) with a size
/// cap: past `maxLineBytes` without a newline it emits `.tooLong` once and then
/// discards everything, so it never buffers more than the cap. The bytes it
/// holds count against the daemon-wide `BufferBudget`; when that is full and
/// this connection's unfinished line is over the budget's shedding threshold,
/// it emits `.overBudget` once and discards everything likewise.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = InboundFrame

    let maxLineBytes: Int
    let budget: BufferBudget?
    private var failed = false
    /// Where to resume the newline search in the buffer (bytes before it were already scanned).
    private var scanned = 0
    /// Bytes counted against `budget` for this connection.
    private var held = 0

    init(maxLineBytes: Int, budget: BufferBudget? = nil) {
        self.maxLineBytes = maxLineBytes
        self.budget = budget
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let frame = nextFrame(&buffer)
        if let frame { context.fireChannelRead(wrapInboundOut(frame)) }
        account(buffer.readableBytes)
        guard case .line = frame else { return .needMoreData }
        return .continue
    }

    /// The framing itself, without NIO's handler around it: the next frame
    /// taken from `buffer`, or nil when it needs more bytes. After `.tooLong` or
    /// `.overBudget` it takes everything and returns nil for good.
    mutating func nextFrame(_ buffer: inout ByteBuffer) -> InboundFrame? {
        if failed {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return nil
        }
        let view = buffer.readableBytesView
        if let newline = view.dropFirst(scanned).firstIndex(of: 0x0a) {
            let length = newline - view.startIndex
            scanned = 0
            var line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == 0x0d {
                line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)!
            }
            if line.readableBytes > maxLineBytes {
                failed = true
                return .tooLong
            }
            return .line(line)
        }
        scanned = view.count
        // One extra byte allows for a '\r' that the next '\n' would remove.
        if view.count > maxLineBytes + 1 {
            failed = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .tooLong
        }
        if let budget, view.count > budget.sheddingThreshold, view.count > held, budget.isFull {
            // The buffers are full and this unfinished line is large and still growing: shed it.
            failed = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .overBudget
        }
        return nil
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without '\n' at end of input is not a request; drop it.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        account(0)
        return .needMoreData
    }

    mutating func decoderRemoved(context: ChannelHandlerContext) {
        account(0)
    }

    /// Counts `bytes` (what this decoder holds now) against the budget.
    private mutating func account(_ bytes: Int) {
        guard let budget else { return }
        budget.add(bytes - held)
        held = bytes
    }
}
