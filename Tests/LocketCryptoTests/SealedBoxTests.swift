import LocketCrypto
import Testing

@Suite("SealedBox: anonymous sealing to a public key")
struct SealedBoxTests {
    static func sealedKey(to publicKey: [UInt8]) throws -> (SecureKey, [UInt8]) {
        let key = try SecureKey.random()
        let sealed = try key.withUnsafeBytes { (raw) throws(CryptoError) in try SealedBox.seal(raw, to: publicKey) }
        return (key, sealed)
    }

    @Test("the same seed gives the same key pair; another seed another one")
    func deterministicKeyPair() throws {
        let seed = try SecureKey.random()
        let a = try SealedBox.keyPair(seed: seed), b = try SealedBox.keyPair(seed: seed)
        #expect(a.publicKey.count == 32 && a.publicKey == b.publicKey)
        #expect(a.secretKey.hasSameBytes(as: b.secretKey))
        #expect(try SealedBox.keyPair(seed: try SecureKey.random()).publicKey != a.publicKey)
    }

    @Test("a key sealed to the public key opens with the secret key, and only with it")
    func roundTrip() throws {
        let pair = try SealedBox.keyPair(seed: try SecureKey.random())
        let (key, sealed) = try Self.sealedKey(to: pair.publicKey)
        #expect(sealed.count == 32 + SealedBox.overhead)
        #expect(try SealedBox.openKey(sealed, publicKey: pair.publicKey, secretKey: pair.secretKey).hasSameBytes(as: key))
        let other = try SealedBox.keyPair(seed: try SecureKey.random())
        #expect(throws: CryptoError.authenticationFailed) {
            try SealedBox.openKey(sealed, publicKey: other.publicKey, secretKey: other.secretKey)
        }
    }

    @Test("any changed byte makes opening fail", arguments: [0, 31, 32, 60, 79])
    func tamper(index: Int) throws {
        let pair = try SealedBox.keyPair(seed: try SecureKey.random())
        var (_, sealed) = try Self.sealedKey(to: pair.publicKey)
        sealed[index] ^= 0x80
        #expect(throws: CryptoError.authenticationFailed) {
            try SealedBox.openKey(sealed, publicKey: pair.publicKey, secretKey: pair.secretKey)
        }
    }
}
