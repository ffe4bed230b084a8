import LocketProtocol
import Testing

/// Tables of input → frames, fed whole, in chunks and one byte at a time:
/// the frames must not depend on how the bytes arrive.
@Suite("LineFramer")
struct LineFramerTests {
    struct Row: CustomTestStringConvertible, Sendable {
        let input: [UInt8]
        let frames: [LineFramer.Frame]
        let pending: Int
        let limit: Int
        init(_ input: String, _ frames: [LineFramer.Frame], pending: Int = 0, limit: Int = 8) {
            self.input = Array(input.utf8)
            self.frames = frames
            self.pending = pending
            self.limit = limit
        }
        var testDescription: String { String(decoding: input.prefix(40), as: UTF8.self).debugDescription }
    }

    static func line(_ text: String) -> LineFramer.Frame { .line(Array(text.utf8)) }

    static let rows: [Row] = [
        Row("", []),
        Row("a\n", [line("a")]),
        Row("a\r\n", [line("a")]),
        Row("a\r\r\n", [line("a\r")]),
        Row("a\rb\n", [line("a\rb")]),
        Row("\n", [line("")]),
        Row("\r\n", [line("")]),
        Row("\n\n\r\n", [line(""), line(""), line("")]),
        Row("a\nb\nc\n", [line("a"), line("b"), line("c")]),
        Row("a\nbc", [line("a")], pending: 2),
        Row("abc", [], pending: 3),
        Row("é\n", [line("é")]),
        // Exactly the limit (8 bytes), with either ending.
        Row("12345678\n", [line("12345678")]),
        Row("12345678\r\n", [line("12345678")]),
        Row("12345678\n12345678\n", [line("12345678"), line("12345678")]),
        // One byte over: too long once, then nothing, whatever follows.
        Row("123456789\n", [.tooLong]),
        Row("123456789\nok\n", [.tooLong]),
        Row("ok\n123456789\nok\n", [line("ok"), .tooLong]),
        Row("123456789\r\n", [.tooLong]),
        Row("1234567890", [.tooLong]),
        Row("1234567890\nok\n", [.tooLong]),
        Row(String(repeating: "x", count: 100), [.tooLong]),
        // Nine bytes without a newline may still be eight plus a '\r'.
        Row("12345678\r", [], pending: 9),
        Row("123456789", [], pending: 9),
    ]

    static func feed(_ input: [UInt8], chunk: Int, limit: Int) -> (frames: [LineFramer.Frame], pending: Int) {
        var framer = LineFramer(maxLineBytes: limit)
        var frames: [LineFramer.Frame] = []
        var start = 0
        while start < input.count {
            let end = min(start + chunk, input.count)
            frames += framer.feed(input[start..<end])
            start = end
        }
        return (frames, framer.pendingBytes)
    }

    @Test("frames do not depend on how the input is split", arguments: rows)
    func table(_ row: Row) {
        for chunk in [1, 2, 3, 5, 7, max(row.input.count, 1)] {
            let result = Self.feed(row.input, chunk: chunk, limit: row.limit)
            #expect(result.frames == row.frames, "chunks of \(chunk)")
            if !row.frames.contains(.tooLong) {
                #expect(result.pending == row.pending, "chunks of \(chunk)")
            }
        }
    }

    @Test("after tooLong nothing more is buffered or framed")
    func stopsAfterTooLong() {
        var framer = LineFramer(maxLineBytes: 4)
        #expect(framer.feed(Array("123456".utf8)) == [.tooLong])
        #expect(framer.pendingBytes == 0)
        #expect(framer.feed(Array("ok\nok\n".utf8)) == [])
        #expect(framer.feed(Array("\n".utf8)) == [])
        #expect(framer.pendingBytes == 0)
    }

    @Test("fed one byte at a time, a line without end is cut off at limit + 2 bytes and never buffers more than limit + 1")
    func boundedBuffer() {
        let limit = 1 << 20
        var framer = LineFramer(maxLineBytes: limit)
        var reported = 0
        var fed = 0
        while fed < limit + 10 {
            let frames = framer.feed(CollectionOfOne(UInt8(ascii: "x")))
            fed += 1
            #expect(framer.pendingBytes <= limit + 1)
            if !frames.isEmpty {
                #expect(frames == [.tooLong])
                #expect(fed == limit + 2)
                reported += 1
            }
        }
        #expect(reported == 1)
        #expect(framer.pendingBytes == 0)
    }

    @Test("a line of exactly 1 MiB is one frame at the standard limit; 1 MiB + 1 is tooLong")
    func standardLimit() {
        let limit = ProtocolLimits.standard.maxLineBytes
        var framer = LineFramer(maxLineBytes: limit)
        let exact = [UInt8](repeating: 0x20, count: limit) + [0x0a]
        #expect(framer.feed(exact) == [.line([UInt8](repeating: 0x20, count: limit))])
        #expect(framer.feed([UInt8](repeating: 0x20, count: limit + 1) + [0x0a]) == [.tooLong])
    }
}
