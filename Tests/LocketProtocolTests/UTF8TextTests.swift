// UTF8Text: strict UTF-8 decoding on the request path must accept exactly what
// the standard library's `String(validating:as:)` accepts, and give the same text.
import LocketProtocol
import Testing

@Suite("UTF8Text")
struct UTF8TextTests {
    /// The reference: the standard library's strict decoder.
    static func reference(_ bytes: [UInt8]) -> String? { String(validating: bytes, as: UTF8.self) }

    @Test("every 1- and 2-byte sequence: accepted and decoded exactly as String(validating:) does")
    func everyShortSequence() {
        var mismatches: [[UInt8]] = []
        for a in 0...255 {
            let one = [UInt8(a)]
            if UTF8Text.decode(one) != Self.reference(one) { mismatches.append(one) }
            for b in 0...255 {
                let two = [UInt8(a), UInt8(b)]
                if UTF8Text.decode(two) != Self.reference(two) { mismatches.append(two) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("every 3-byte sequence led by E0–F4 with continuation-range tails, and 200k random 1–6 byte strings of lead and continuation bytes")
    func longerSequences() {
        var mismatches: [[UInt8]] = []
        for a in 0xE0...0xF4 {
            for b in 0x70...0xC2 {
                for c in 0x70...0xC2 {
                    let bytes = [UInt8(a), UInt8(b), UInt8(c)]
                    if UTF8Text.decode(bytes) != Self.reference(bytes) { mismatches.append(bytes) }
                }
            }
        }
        var generator = SystemRandomNumberGenerator()
        let interesting: [ClosedRange<UInt8>] = [0x00...0x7F, 0x80...0xBF, 0xC0...0xC2, 0xE0...0xED, 0xEE...0xEF, 0xF0...0xF5, 0xF8...0xFF]
        for _ in 0..<200_000 {
            let count = Int.random(in: 1...6, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: interesting.randomElement(using: &generator)!, using: &generator) }
            if UTF8Text.decode(bytes) != Self.reference(bytes) { mismatches.append(bytes) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("the cases a replacing decoder could hide: overlong, surrogate, past U+10FFFF, truncated 4-byte, a literal U+FFFD")
    func edgeCases() {
        let rejected: [[UInt8]] = [
            [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF],  // overlong "/"
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],                      // surrogates
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],          // past U+10FFFF
            [0xF0, 0x90, 0x80], [0xF0, 0x90, 0x80, 0x41],                // a 4-byte sequence cut to 3 (one U+FFFD, same length)
            [0xEF, 0xBF], [0x80], [0xFF],
        ]
        for bytes in rejected { #expect(UTF8Text.decode(bytes) == nil, "\(bytes)") }
        #expect(UTF8Text.decode([0xEF, 0xBF, 0xBD]) == "\u{FFFD}")
        #expect(UTF8Text.decode([0xF0, 0x9F, 0x94, 0x91]) == "🔑")
        #expect(UTF8Text.decode([]) == "")
        #expect(UTF8Text.decode(Array("session-é".utf8)) == "session-é")
        #expect([UInt8]([0x61, 0x00, 0x62]).withUnsafeBytes { UTF8Text.isValid($0) })
        #expect(![UInt8]([0x61, 0xC3]).withUnsafeBytes { UTF8Text.isValid($0) })
    }

    @Test("sameBytes: byte for byte, never canonical equivalence; small (inline) and heap strings, empty, one byte apart, a prefix")
    func sameBytes() {
        let long = String(repeating: "k", count: 4094)
        let pairs: [(String, String, Bool)] = [
            ("", "", true), ("a", "a", true), ("session", "session", true), (long, String(repeating: "k", count: 4094), true),
            ("é", "e\u{301}", false),                            // equal as Strings, not as bytes
            ("session", "sessioN", false), ("session", "sessio", false), ("", "a", false),
            (long, long.dropLast() + "j", false), (long, String(long.dropLast()), false),
            ("🔑 key", "🔑 key", true), ("a\u{0}b", "a\u{0}c", false),
        ]
        for (a, b, same) in pairs {
            #expect(UTF8Text.sameBytes(a, b) == same, "\(a.prefix(12)) vs \(b.prefix(12))")
            #expect(UTF8Text.sameBytes(b, a) == same)
            #expect(Array(b.utf8).withUnsafeBufferPointer { UTF8Text.sameBytes(a, $0) } == same)
            #expect((ExactText(a) == ExactText(b)) == same)
        }
        #expect(UTF8Text.sameBytes(String(long.prefix(10)), "kkkkkkkkkk"))   // a heap string's prefix, made small
    }
}
