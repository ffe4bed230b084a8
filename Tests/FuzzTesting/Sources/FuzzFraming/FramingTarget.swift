import FuzzSupport
import LocketProtocol
import NIOCore
@testable import LocketServer

/// The daemon's line framing, differential against a plain model of the rule
/// and against `LineFramer` (the clients' framing). The first input byte picks
/// a small line limit (its low 6 bits, so over-long lines are common) and the
/// second how the stream is cut into reads; the rest is the stream. The
/// daemon's `LineFrameDecoder.nextFrame` runs directly on one growing buffer,
/// as NIO's `ByteToMessageHandler` drives it. The decoder inside that handler,
/// on a real socket and through to the close, is the `connection` target's:
/// here, inputs that went through an `EmbeddedChannel` cost ten times the
/// others and the fuzzer, finding more edges in NIO, kept choosing them (a
/// fifth of the time in NIO even at one input in 256).
package enum FramingTarget {
    enum Frame: Equatable {
        case line([UInt8])
        case tooLong
    }

    package static func run(_ input: UnsafeRawBufferPointer) {
        guard input.count >= 2 else { return }
        let maxLineBytes = Int(input[0] % 64)
        let cutSeed = Int(input[1])
        let stream = Array(input[2...])
        let expected = model(stream, maxLineBytes: maxLineBytes)

        // The daemon's decoder, fed in reads of 1 to 64 bytes chosen by the input.
        var decoder = LineFrameDecoder(maxLineBytes: maxLineBytes)
        var pending = ByteBuffer()
        var decoded: [Frame] = []
        var framer = LineFramer(maxLineBytes: maxLineBytes)
        var framed: [Frame] = []
        var start = 0, step = cutSeed
        while start < stream.count {
            let end = min(stream.count, start + 1 + step % 64)
            step = step / 64 + Int(stream[start]) // the cut depends on the data too
            pending.writeBytes(stream[start..<end])
            while let frame = decoder.nextFrame(&pending) {
                switch frame {
                case .line(let buffer): decoded.append(.line(Array(buffer.readableBytesView)))
                case .tooLong: decoded.append(.tooLong)
                case .overBudget: Invariant.fail("framing: overBudget from a decoder without a budget")
                }
            }
            if pending.readerIndex > 4096 { pending.discardReadBytes() }
            for frame in framer.feed(stream[start..<end]) {
                switch frame {
                case .line(let bytes): framed.append(.line(bytes))
                case .tooLong: framed.append(.tooLong)
                }
            }
            if framer.pendingBytes > maxLineBytes + 1 { Invariant.fail("framing: LineFramer holds more than the limit + 1") }
            start = end
        }
        if pending.readableBytes > maxLineBytes + 1 {
            Invariant.fail("framing: the decoder holds more than the limit + 1")
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
