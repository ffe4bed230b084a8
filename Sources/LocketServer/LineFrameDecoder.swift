import NIOCore

/// One request line, or the news that a line went over the limit.
enum InboundFrame {
    case line(ByteBuffer)
    case tooLong
}

/// Frames `\n`-terminated lines (a `\r` before the `\n` is dropped) with a size
/// cap: past `maxLineBytes` without a newline it emits `.tooLong` once and then
/// discards everything, so it never buffers more than the cap.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = InboundFrame

    let maxLineBytes: Int
    private var failed = false
    /// Where to resume the newline search in the buffer (bytes before it were already scanned).
    private var scanned = 0

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if failed {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
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
                context.fireChannelRead(wrapInboundOut(.tooLong))
                return .needMoreData
            }
            context.fireChannelRead(wrapInboundOut(.line(line)))
            return .continue
        }
        scanned = view.count
        // One extra byte allows for a '\r' that the next '\n' would remove.
        if view.count > maxLineBytes + 1 {
            failed = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            context.fireChannelRead(wrapInboundOut(.tooLong))
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without '\n' at end of input is not a request; drop it.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
