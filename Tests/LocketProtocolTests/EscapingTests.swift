import LocketProtocol
import Testing

/// The contiguous fast path (runs copied whole) writes what the byte-by-byte path writes.
@Suite("Escaping: fast path against the byte-by-byte path")
struct EscapingPathTests {
    static func generic(_ bytes: [UInt8], _ controls: Escaping.Controls) -> [UInt8] {
        var out: [UInt8] = []
        Escaping.appendEscaped(AnySequence(bytes), to: &out, controls: controls)
        return out
    }

    @Test("every byte alone, and 2,000 random byte strings, in both control styles")
    func samePaths() {
        var random = SystemRandomNumberGenerator()
        var cases: [[UInt8]] = (0...255).map { [UInt8($0)] }
        for _ in 0..<2000 {
            cases.append((0..<Int.random(in: 0...40, using: &random)).map { _ in
                [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0a, 0x7f, 0x01, UInt8(ascii: "a"), 0xc3, 0xa9].randomElement(using: &random)!
            })
        }
        for bytes in cases {
            for controls in [Escaping.Controls.short, .unicode] {
                var fast: [UInt8] = []
                bytes.withUnsafeBufferPointer { Escaping.appendEscaped($0, to: &fast, controls: controls) }
                #expect(fast == Self.generic(bytes, controls), "\(bytes)")
                var quoted: [UInt8] = []
                Escaping.appendString(bytes: bytes, to: &quoted, controls: controls)
                #expect(quoted == [0x22] + Self.generic(bytes, controls) + [0x22])
            }
        }
        var text: [UInt8] = []
        Escaping.appendString("a\"b\\c\nd\u{7f}é", to: &text)
        #expect(String(decoding: text, as: UTF8.self) == #""a\"b\\c\nd\u007fé""#)
    }
}
