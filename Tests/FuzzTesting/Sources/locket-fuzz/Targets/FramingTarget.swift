import LocketProtocol
import NIOCore
import NIOEmbedded
@testable import LocketServer

/// The daemon's line framing (`LineFrameDecoder` in its `ByteToMessageHandler`,
/// on an `EmbeddedChannel`), differential against a plain model of the rule and
/// against `LineFramer`. The first input byte picks a small line limit (so
/// over-long lines are common) and the next bytes how the stream is cut into
/// reads; the rest is the stream.
enum FramingTarget {
    enum Frame: Equatable {
        case line([UInt8])
        case tooLong
    }

    /// The channel every input's decoder is added to (libFuzzer runs inputs one at a time, on one thread).
    static let channel = EmbeddedChannel()

    static func run(_ input: UnsafeRawBufferPointer) {
        guard input.count >= 2 else { return }
        let maxLineBytes = Int(input[0] % 64)
        let cutSeed = Int(input[1])
        let stream = Array(input[2...])
        let expected = model(stream, maxLineBytes: maxLineBytes)

        // The daemon's decoder, fed in reads of 1 to 64 bytes chosen by the input. One
        // channel serves every input (making one costs more than the rest of an input):
        // a fresh decoder handler is added for each input and removed at its end,
        // which runs its decodeLast as closing the connection does.
        let handler = ByteToMessageHandler(LineFrameDecoder(maxLineBytes: maxLineBytes))
        guard (try? channel.pipeline.syncOperations.addHandler(handler)) != nil else {
            Invariant.fail("framing: the decoder cannot be added")
        }
        var decoded: [Frame] = []
        func drain() {
            while let frame = try? channel.readInbound(as: InboundFrame.self) {
                switch frame {
                case .line(let buffer): decoded.append(.line(Array(buffer.readableBytesView)))
                case .tooLong: decoded.append(.tooLong)
                case .overBudget: Invariant.fail("framing: overBudget from a decoder without a budget")
                }
            }
        }
        var framer = LineFramer(maxLineBytes: maxLineBytes)
        var framed: [Frame] = []
        var start = 0, step = cutSeed
        while start < stream.count {
            let end = min(stream.count, start + 1 + step % 64)
            step = step / 64 + Int(stream[start]) // the cut depends on the data too
            do {
                try channel.writeInbound(channel.allocator.buffer(bytes: stream[start..<end]))
            } catch {
                Invariant.fail("framing: the decoder throws on a read")
            }
            drain()
            for frame in framer.feed(stream[start..<end]) {
                switch frame {
                case .line(let bytes): framed.append(.line(bytes))
                case .tooLong: framed.append(.tooLong)
                }
            }
            if framer.pendingBytes > maxLineBytes + 1 { Invariant.fail("framing: LineFramer holds more than the limit + 1") }
            start = end
        }
        let removed = channel.pipeline.syncOperations.removeHandler(handler)
        channel.embeddedEventLoop.run()
        guard (try? removed.wait()) != nil, (try? channel.throwIfErrorCaught()) != nil else {
            Invariant.fail("framing: the decoder does not finish cleanly")
        }
        drain()
        guard (try? channel.readInbound(as: ByteBuffer.self)) == nil else {
            Invariant.fail("framing: the decoder leaves bytes behind at the end")
        }
        guard decoded == expected else { Invariant.fail("framing: LineFrameDecoder's frames differ from the model") }
        guard framed == expected else { Invariant.fail("framing: LineFramer's frames differ from the model") }
    }

    /// The rule: `\n` ends a line, a `\r` before it is dropped; the first line
    /// over the limit (or an unfinished one over limit + 1) is `tooLong` and ends
    /// the stream; an unfinished last line is dropped.
    static func model(_ stream: [UInt8], maxLineBytes: Int) -> [Frame] {
        var frames: [Frame] = []
        var lines = stream.split(separator: 0x0a, omittingEmptySubsequences: false)
        let tail = lines.removeLast()
        for var line in lines {
            if line.last == 0x0d { line = line.dropLast() }
            if line.count > maxLineBytes { return frames + [.tooLong] }
            frames.append(.line(Array(line)))
        }
        if tail.count > maxLineBytes + 1 { frames.append(.tooLong) }
        return frames
    }
}
