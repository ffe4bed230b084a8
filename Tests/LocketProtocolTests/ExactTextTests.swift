import LocketProtocol
import Testing

/// Dictionary keys that match names byte for byte, as Locket hashes and stores them.
@Suite("ExactText")
struct ExactTextTests {
    @Test("canonically equivalent strings are equal as String, different as ExactText, and are two dictionary keys")
    func canonicalEquivalentsDiffer() {
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed)
        #expect(ExactText(composed) != ExactText(decomposed))
        var table: [ExactText: Int] = [:]
        table[ExactText(composed)] = 1
        table[ExactText(decomposed)] = 2
        #expect(table.count == 2)
        #expect(table[ExactText(composed)] == 1 && table[ExactText(decomposed)] == 2)
    }

    @Test("equal bytes are equal keys with equal hashes")
    func equalBytes() {
        let a = ExactText(String(repeating: "k", count: 40))
        let b = ExactText(String(repeating: "k", count: 20) + String(repeating: "k", count: 20))
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(ExactText("a") != ExactText("b"))
    }
}
