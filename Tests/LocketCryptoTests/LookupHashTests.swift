import LocketCrypto
import Testing

@Suite("LookupHash: keyed ids of names")
struct LookupHashTests {
    let name = Array("app\u{0}session".utf8)

    @Test("the same key and name give the same id")
    func deterministic() throws {
        let key = try SecureKey.random()
        #expect(LookupHash.hash(name, key: key) == LookupHash.hash(name, key: key))
    }

    @Test("a different key gives a different id for the same name")
    func keyed() throws {
        let a = LookupHash.hash(name, key: try SecureKey.random())
        let b = LookupHash.hash(name, key: try SecureKey.random())
        #expect(a != b)
    }

    @Test("an id is 32 bytes", arguments: [0, 1, 100, 10_000])
    func idIs32Bytes(length: Int) throws {
        let id = LookupHash.hash([UInt8](repeating: 9, count: length), key: try SecureKey.random())
        #expect(LookupHash.bytes == 32)
        #expect(id.count == 32)
    }

    @Test("different names give different ids")
    func differentNamesDiffer() throws {
        let key = try SecureKey.random()
        #expect(LookupHash.hash(Array("app\u{0}a".utf8), key: key) != LookupHash.hash(Array("app\u{0}b".utf8), key: key))
        #expect(LookupHash.hash([], key: key) != LookupHash.hash([0], key: key))
    }

    @Test("an id does not contain the name")
    func idHidesName() throws {
        let key = try SecureKey.random()
        let long = [UInt8](repeating: 0x61, count: 32)
        #expect(LookupHash.hash(long, key: key) != long)
    }
}
