import LocketCrypto
import Testing

/// Every change to a sealed box or to its associated data must be detected.
@Suite("AEAD: tampering and misuse")
struct AEADTamperTests {
    let key: SecureKey
    let plaintext = Array("{\"ns\":\"app\",\"key\":\"session\",\"value\":\"token\"}".utf8)
    let associated = Array("lookup-id-0123456789".utf8)
    let sealed: [UInt8]

    init() throws {
        key = try SecureKey.random()
        sealed = AEAD.seal(plaintext, key: key, associatedData: associated)
    }

    /// Opens `box` and reports the error; a returned plaintext counts as a failure of the test.
    private func openFailure(_ box: [UInt8], associatedData: [UInt8], key: SecureKey? = nil) -> CryptoError? {
        do {
            _ = try AEAD.open(box, key: key ?? self.key, associatedData: associatedData)
            return nil
        } catch {
            return error
        }
    }

    @Test("flipping any bit at any position of the box (nonce, ciphertext, tag) fails authentication")
    func flippedBitAnywhereInBoxFails() {
        var failures = 0, checked = 0
        for position in sealed.indices {
            for bit in 0..<8 {
                var tampered = sealed
                tampered[position] ^= UInt8(1) << UInt8(bit)
                checked += 1
                if openFailure(tampered, associatedData: associated) == .authenticationFailed { failures += 1 }
            }
        }
        #expect(sealed.count == plaintext.count + AEAD.overhead)
        #expect(checked == sealed.count * 8)
        #expect(failures == checked)
    }

    @Test("flipping any byte of the associated data fails authentication")
    func flippedByteInAssociatedDataFails() {
        var failures = 0
        for position in associated.indices {
            var tampered = associated
            tampered[position] ^= 0xFF
            if openFailure(sealed, associatedData: tampered) == .authenticationFailed { failures += 1 }
        }
        #expect(failures == associated.count)
    }

    @Test("missing, extra or different associated data fails authentication")
    func differentAssociatedDataFails() {
        #expect(openFailure(sealed, associatedData: []) == .authenticationFailed)
        #expect(openFailure(sealed, associatedData: associated + [0]) == .authenticationFailed)
        #expect(openFailure(sealed, associatedData: Array(associated.dropLast())) == .authenticationFailed)
    }

    @Test("a different key fails authentication")
    func wrongKeyFails() throws {
        let other = try SecureKey.random()
        #expect(openFailure(sealed, associatedData: associated, key: other) == .authenticationFailed)
    }

    @Test("an appended byte or a box with its last byte removed fails authentication")
    func changedLengthFails() {
        #expect(openFailure(sealed + [0], associatedData: associated) == .authenticationFailed)
        #expect(openFailure(Array(sealed.dropLast()), associatedData: associated) == .authenticationFailed)
    }

    @Test("a box shorter than nonce plus tag is malformed input", arguments: [0, 1, 24, 39])
    func truncatedBoxIsMalformed(length: Int) {
        let failure = openFailure(Array(sealed.prefix(length)), associatedData: associated)
        guard case .malformedInput = failure else {
            Issue.record("expected malformedInput, got \(String(describing: failure))")
            return
        }
    }

    @Test("a nonce-and-tag-only box opens to empty plaintext only when it was sealed that way")
    func minimalBoxAuthenticates() throws {
        let empty = AEAD.seal([], key: key, associatedData: associated)
        #expect(empty.count == 40)
        #expect(try AEAD.open(empty, key: key, associatedData: associated).isEmpty)
        var tampered = empty
        tampered[39] ^= 1
        #expect(openFailure(tampered, associatedData: associated) == .authenticationFailed)
    }

    @Test("a raw key that is not 32 bytes is malformed input when opening")
    func shortRawKeyIsMalformed() {
        let shortKey = [UInt8](repeating: 7, count: 16)
        let result = shortKey.withUnsafeBytes { k in
            sealed.withUnsafeBytes { s in
                associated.withUnsafeBytes { ad in Result { () throws(CryptoError) in try AEAD.open(s, key: k, associatedData: ad) } }
            }
        }
        guard case .failure(.malformedInput) = result else {
            Issue.record("a 16-byte key was not refused")
            return
        }
    }
}
