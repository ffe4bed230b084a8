import LocketCrypto
import Testing

@Suite("AEAD: seal and open")
struct AEADRoundTripTests {
    static let sizes = [0, 1, 256 * 1024]

    @Test("a sealed box opens to the same plaintext", arguments: sizes)
    func sealedBoxOpensToSamePlaintext(size: Int) throws {
        let key = try SecureKey.random()
        let plaintext = SecureRandom.bytes(size)
        let associated = Array("record-id".utf8)
        let sealed = AEAD.seal(plaintext, key: key, associatedData: associated)
        let opened = try AEAD.open(sealed, key: key, associatedData: associated)
        let same = opened == plaintext
        #expect(opened.count == size)
        #expect(same)
    }

    @Test("a sealed box is the plaintext plus 40 bytes (24-byte nonce, 16-byte tag)", arguments: sizes)
    func sealedBoxIsPlaintextPlusForty(size: Int) throws {
        let key = try SecureKey.random()
        let sealed = AEAD.seal(SecureRandom.bytes(size), key: key, associatedData: [])
        #expect(AEAD.overhead == 40)
        #expect(sealed.count == size + 40)
    }

    @Test("sealing the same plaintext twice gives different boxes (random nonce)")
    func sealingTwiceDiffers() throws {
        let key = try SecureKey.random()
        let plaintext = Array("the same session".utf8)
        let first = AEAD.seal(plaintext, key: key, associatedData: [1])
        let second = AEAD.seal(plaintext, key: key, associatedData: [1])
        #expect(first != second)
        #expect(Array(first.prefix(AEAD.nonceBytes)) != Array(second.prefix(AEAD.nonceBytes)))
        #expect(try AEAD.open(first, key: key, associatedData: [1]) == plaintext)
        #expect(try AEAD.open(second, key: key, associatedData: [1]) == plaintext)
    }

    @Test("sealing with a caller's nonce appends nonce ‖ ciphertext ‖ tag after what the buffer held, and it opens", arguments: sizes)
    func sealAppendingWithNonce(size: Int) throws {
        let key = try SecureKey.random()
        let plaintext = SecureRandom.bytes(size)
        let nonce = SecureRandom.bytes(AEAD.nonceBytes)
        let associated = Array("record-7".utf8)
        var out: [UInt8] = [0xAA, 0xBB, 0xCC]
        key.withUnsafeBytes { k in
            plaintext.withUnsafeBytes { p in
                associated.withUnsafeBytes { ad in
                    nonce.withUnsafeBytes { n in AEAD.seal(p, key: k, associatedData: ad, nonce: n, appendingTo: &out) }
                }
            }
        }
        #expect(out.count == 3 + size + AEAD.overhead)
        #expect(Array(out.prefix(3)) == [0xAA, 0xBB, 0xCC])
        #expect(Array(out[3..<(3 + AEAD.nonceBytes)]) == nonce)
        let box = Array(out.dropFirst(3))
        let opened = try AEAD.open(box, key: key, associatedData: associated)
        #expect(opened == plaintext)
        #expect(throws: CryptoError.self) { try AEAD.open(box, key: key, associatedData: Array("record-8".utf8)) }
    }

    @Test("the ciphertext does not contain the plaintext")
    func ciphertextHidesPlaintext() throws {
        let key = try SecureKey.random()
        let plaintext = [UInt8](repeating: 0x41, count: 64)
        let sealed = AEAD.seal(plaintext, key: key, associatedData: [])
        let body = Array(sealed[AEAD.nonceBytes..<(sealed.count - AEAD.tagBytes)])
        #expect(body.count == plaintext.count)
        #expect(body != plaintext)
    }

    @Test("the raw-pointer API and the guarded-key API interoperate")
    func rawAndGuardedAPIsInteroperate() throws {
        let raw = SecureRandom.bytes(32)
        let key = try raw.withUnsafeBytes { try SecureKey(copying: $0) }
        let plaintext = Array("hello".utf8)
        let sealed = raw.withUnsafeBytes { k in
            plaintext.withUnsafeBytes { p in [UInt8]().withUnsafeBytes { ad in AEAD.seal(p, key: k, associatedData: ad) } }
        }
        #expect(try AEAD.open(sealed, key: key, associatedData: []) == plaintext)
    }
}
