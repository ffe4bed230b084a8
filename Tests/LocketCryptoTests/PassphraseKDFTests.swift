import LocketCrypto
import Testing

@Suite("PassphraseKDF: Argon2id")
struct PassphraseKDFTests {
    let passphrase = Array("correct horse battery staple".utf8)
    let salt = SecureRandom.bytes(PassphraseKDF.saltBytes)

    @Test("the same passphrase, salt and limits give the same key")
    func sameInputsSameKey() throws {
        let a = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: .interactive)
        let b = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: .interactive)
        #expect(a.count == 32)
        #expect(a.hasSameBytes(as: b))
    }

    @Test("a different passphrase gives a different key")
    func differentPassphraseDifferentKey() throws {
        let a = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: .interactive)
        let b = try PassphraseKDF.deriveKey(passphrase: passphrase + [0x21], salt: salt, limits: .interactive)
        #expect(!a.hasSameBytes(as: b))
    }

    @Test("a different salt gives a different key")
    func differentSaltDifferentKey() throws {
        var otherSalt = salt
        otherSalt[0] ^= 1
        let a = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: .interactive)
        let b = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: otherSalt, limits: .interactive)
        #expect(!a.hasSameBytes(as: b))
    }

    @Test("different limits give a different key")
    func differentLimitsDifferentKey() throws {
        var more = Argon2Limits.interactive
        more.operations += 1
        let a = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: .interactive)
        let b = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: more)
        #expect(!a.hasSameBytes(as: b))
    }

    @Test("an empty passphrase is refused")
    func emptyPassphraseRefused() {
        #expect {
            _ = try PassphraseKDF.deriveKey(passphrase: [], salt: salt, limits: .interactive)
        } throws: { error in
            if case CryptoError.malformedInput = error { true } else { false }
        }
    }

    @Test("a salt that is not 16 bytes is refused", arguments: [0, 15, 17, 32])
    func wrongSaltLengthRefused(length: Int) {
        #expect(PassphraseKDF.saltBytes == 16)
        #expect {
            _ = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: [UInt8](repeating: 1, count: length), limits: .interactive)
        } throws: { error in
            if case CryptoError.malformedInput = error { true } else { false }
        }
    }

    @Test("limits below Argon2id's minimum memory fail with passphraseHashingFailed")
    func tooLittleMemoryFails() {
        #expect(throws: CryptoError.passphraseHashingFailed) {
            _ = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt,
                                            limits: Argon2Limits(operations: 1, memoryBytes: 1024))
        }
    }

    @Test("the limits are libsodium's interactive (2, 64 MiB) and moderate (3, 256 MiB)")
    func limitsMatchLibsodium() {
        #expect(Argon2Limits.interactive == Argon2Limits(operations: 2, memoryBytes: 64 << 20))
        #expect(Argon2Limits.moderate == Argon2Limits(operations: 3, memoryBytes: 256 << 20))
    }

    @Test("moderate limits are deterministic and differ from interactive")
    func moderateDeterministicAndDistinct() throws {
        let moderate = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: .moderate)
        let interactive = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: .interactive)
        let again = try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: .interactive)
        #expect(!moderate.hasSameBytes(as: interactive))
        #expect(interactive.hasSameBytes(as: again))
    }

    @Test("Argon2id v1.3 matches the reference implementation (known-answer vector)")
    func matchesReferenceVector() throws {
        // t=2, m=64 MiB, p=1, "password" / "somesaltsomesalt", 32 bytes: computed with the
        // reference Argon2 (argon2-cffi) independently of libsodium. A public test vector.
        let expected = hexBytes("fc33b78139231d34b71626bd6245c1d72efa190ad605c3d8166a72adcedfa2c2")
        let derived = try PassphraseKDF.deriveKey(passphrase: Array("password".utf8),
                                                  salt: Array("somesaltsomesalt".utf8), limits: .interactive)
        let reference = try expected.withUnsafeBytes { try SecureKey(copying: $0) }
        #expect(derived.hasSameBytes(as: reference))
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)! }
}
