// Issue 13, item 6: a `get` answer's value is wiped from the entry it came
// from, in that entry's own storage (the old `secureZero(&copy)` zeroed a
// copy-on-write copy and left the decrypted value where it was).
import Foundation
import LocketProtocol
@testable import LocketServer
@testable import LocketStore
import Testing

@Suite("Answer wipes")
struct AnswerWipeTests {
    @Test("getResponse zeroes the decrypted value's own storage once it is in the answer")
    func getResponseWipesTheEntry() throws {
        let value = Array(#"{"token":"decrypted-secret"}"#.utf8)
        let found = Entry(ns: "app", key: "k", value: value, version: 1, createdAt: Date(), updatedAt: Date(), expiresAt: nil)
        let request = Request(op: .get)
        let answer = Dispatcher.getResponse(request, found).finished()
        #expect(String(decoding: answer, as: UTF8.self).contains(#""value":{"token":"decrypted-secret"}"#))
        #expect(found.value.allSatisfy { $0 == 0 }, "the decrypted value is still in memory: \(found.value.count) bytes")
        #expect(value.allSatisfy { $0 == 0 }, "every holder of that storage sees it zeroed")
    }
}
