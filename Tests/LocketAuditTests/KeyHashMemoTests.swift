@testable import LocketAudit
import Testing

/// One audit batch hashes each key name once; names that differ in any byte are hashed apart.
@Suite("Key-name hashes within a batch")
struct KeyHashMemoTests {
    @Test("a repeated name is hashed once; canonically equivalent names are hashed apart; past the cap names are hashed each time")
    func memo() {
        var memo = KeyHashMemo()
        var made: [String] = []
        func hash(_ key: String) -> String { memo.hash(key) { made.append(key); return "h(\(Array(key.utf8)))" } }
        #expect(hash("session") == hash("session"))
        #expect(made == ["session"])
        let composed = hash("caf\u{E9}")
        let decomposed = hash("cafe\u{301}")
        #expect(composed != decomposed)
        #expect(made.count == 3)
        for index in 0..<100 { _ = hash("k\(index)") }
        #expect(made.count == 103)
        // k99 came past the cap of 64 names: it is hashed again, and still right.
        #expect(hash("k99") == "h(\(Array("k99".utf8)))")
        #expect(made.count == 104)
        _ = hash("k0")
        #expect(made.count == 104)
    }
}
