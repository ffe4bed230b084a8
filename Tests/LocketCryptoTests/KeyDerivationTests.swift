import LocketCrypto
import Testing

@Suite("KeyDerivation: sub-keys from the master key")
struct KeyDerivationTests {
    @Test("the same master and purpose give the same sub-key", arguments: SubkeyPurpose.allCases)
    func deterministicForSameMasterAndPurpose(purpose: SubkeyPurpose) throws {
        let master = try SecureKey.random()
        let first = try KeyDerivation.derive(purpose, from: master)
        let second = try KeyDerivation.derive(purpose, from: master)
        #expect(first.count == 32)
        #expect(first.hasSameBytes(as: second))
    }

    @Test("each purpose gives a different sub-key")
    func differentPerPurpose() throws {
        let master = try SecureKey.random()
        let keys = try SubkeyPurpose.allCases.map { try KeyDerivation.derive($0, from: master) }
        var distinctPairs = 0
        for i in keys.indices {
            for j in keys.indices where j > i && !keys[i].hasSameBytes(as: keys[j]) { distinctPairs += 1 }
        }
        #expect(keys.count == 6)
        #expect(distinctPairs == keys.count * (keys.count - 1) / 2)
    }

    @Test("different masters give different sub-keys", arguments: SubkeyPurpose.allCases)
    func differentPerMaster(purpose: SubkeyPurpose) throws {
        let a = try KeyDerivation.derive(purpose, from: try SecureKey.random())
        let b = try KeyDerivation.derive(purpose, from: try SecureKey.random())
        #expect(!a.hasSameBytes(as: b))
    }

    @Test("a sub-key is not the master key itself", arguments: SubkeyPurpose.allCases)
    func subkeyDiffersFromMaster(purpose: SubkeyPurpose) throws {
        let master = try SecureKey.random()
        #expect(!(try KeyDerivation.derive(purpose, from: master)).hasSameBytes(as: master))
    }

    @Test("a master key that is not 32 bytes is refused")
    func wrongLengthMasterRefused() throws {
        let short = try SecureKey.random(count: 16)
        #expect {
            _ = try KeyDerivation.derive(.wrap, from: short)
        } throws: { error in
            if case CryptoError.malformedInput = error { true } else { false }
        }
    }

    @Test("the purpose ids and the context are fixed (changing them orphans every vault)")
    func scheduleConstantsAreFixed() {
        #expect(KeyDerivation.context == "LocketV1")
        #expect(SubkeyPurpose.wrap.rawValue == 1)
        #expect(SubkeyPurpose.check.rawValue == 2)
        #expect(SubkeyPurpose.lookup.rawValue == 3)
    }
}
