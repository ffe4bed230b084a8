// Issue 13, item 6: wipes that wipe. Zeroing a copy-on-write array through
// `inout` zeroes a fresh copy when another variable shares the storage;
// `SecretBytes` owns its storage and `wipeStorage(of:)` zeroes the shared one.
import Foundation
import LocketProtocol
import Testing

@Suite("Secret bytes")
struct SecretBytesTests {
    /// The old way: zero an array through `inout` (what `secureZero(&bytes)` does).
    static func zeroThroughInout(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            for index in raw.indices { raw[index] = 0 }
        }
    }

    @Test("zeroing a shared array through inout leaves the secret in the other holder's storage")
    func inoutZeroingMissesSharedStorage() {
        let held: [UInt8] = Array("hunter2-passphrase".utf8)
        var copy = held
        Self.zeroThroughInout(&copy)
        #expect(copy.allSatisfy { $0 == 0 })
        #expect(held == Array("hunter2-passphrase".utf8), "copy-on-write: the zeroing went to a new buffer")
    }

    @Test("wipeStorage(of:) zeroes the storage every copy shares")
    func wipeStorageZeroesSharedStorage() {
        let held: [UInt8] = Array("hunter2-passphrase".utf8)
        let copy = held
        wipeStorage(of: copy)
        #expect(held.count == 18)
        #expect(held.allSatisfy { $0 == 0 }, "held: \(held)")
    }

    @Test("SecretBytes.wipe zeroes the very storage it used, and references share it")
    func wipeZeroesItsStorage() {
        let secret = SecretBytes(capacity: 64)
        secret.append("correct horse battery staple")
        let alias = secret
        let address = secret.storageAddress
        let count = secret.count
        #expect(UnsafeRawBufferPointer(start: address, count: count).elementsEqual(Array("correct horse battery staple".utf8)))
        alias.wipe()
        #expect(secret.isEmpty)
        // The object is still alive, so its storage is too: read it directly.
        #expect(UnsafeRawBufferPointer(start: address, count: 64).allSatisfy { $0 == 0 })
    }

    @Test("growing moves the bytes; what is held is exactly what was appended")
    func growing() {
        let secret = SecretBytes(capacity: 16)
        let text = String(repeating: "0123456789", count: 20)
        for byte in text.utf8 { secret.append(byte) }
        #expect(secret.withUnsafeBytes { Array($0) } == Array(text.utf8))
        secret.removeLast(10)
        #expect(secret.count == 190)
    }

    @Test("appendJSONString escapes exactly as Escaping.appendString", arguments: [
        "plain", "quote\" and \\ backslash", "tab\tnew\nline\r", "\u{01}\u{1f}\u{7f}", "ünïcödé ✓",
    ])
    func jsonEscaping(_ text: String) {
        var expected: [UInt8] = []
        Escaping.appendString(text, to: &expected)
        let secret = SecretBytes()
        secret.append(text)
        let line = SecretBytes()
        line.appendJSONString(secret)
        #expect(line.withUnsafeBytes { Array($0) } == expected)
    }

    @Test("UTF-8 validity is checked without a String")
    func utf8() {
        let good = SecretBytes()
        good.append("pässword")
        #expect(good.isValidUTF8)
        let bad = SecretBytes()
        bad.append(0xff)
        #expect(!bad.isValidUTF8)
    }
}
