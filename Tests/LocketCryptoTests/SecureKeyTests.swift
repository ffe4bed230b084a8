import Dispatch
import Glibc
import LocketCrypto
import Synchronization
import Testing

@Suite("SecureKey: guarded key memory")
struct SecureKeyTests {
    @Test("two random keys differ")
    func randomKeysDiffer() throws {
        let a = try SecureKey.random(), b = try SecureKey.random()
        #expect(a.count == 32)
        #expect(!a.hasSameBytes(as: b))
    }

    @Test("a random key has the requested length", arguments: [1, 16, 32, 64, 4096])
    func randomKeyHasRequestedLength(count: Int) throws {
        let key = try SecureKey.random(count: count)
        #expect(key.count == count)
        #expect(key.withUnsafeBytes { $0.count } == count)
    }

    @Test("a key copied from bytes holds the same bytes")
    func copyingInitHoldsSameBytes() throws {
        let source = SecureRandom.bytes(32)
        let key = try source.withUnsafeBytes { try SecureKey(copying: $0) }
        let same = key.withUnsafeBytes { Array($0) == source }
        #expect(same)
        let again = try source.withUnsafeBytes { try SecureKey(copying: $0) }
        #expect(key.hasSameBytes(as: again))
    }

    @Test("keys of different lengths never have the same bytes")
    func differentLengthsDiffer() throws {
        let bytes = [UInt8](repeating: 5, count: 32)
        let long = try bytes.withUnsafeBytes { try SecureKey(copying: $0) }
        let short = try bytes.withUnsafeBytes { try SecureKey(copying: UnsafeRawBufferPointer(rebasing: $0[0..<16])) }
        #expect(!long.hasSameBytes(as: short))
    }

    @Test("a key has the same bytes as itself (nested borrows of one key)")
    func nestedBorrowsOfOneKey() throws {
        let key = try SecureKey.random()
        #expect(key.hasSameBytes(as: key))
        let inner = key.withUnsafeBytes { outer in key.withUnsafeBytes { inner in Array(inner) == Array(outer) } }
        #expect(inner)
    }

    @Test("a zero-length key is refused")
    func zeroLengthRefused() {
        #expect(throws: CryptoError.outOfSecureMemory) { _ = try SecureKey(count: 0) { _ in } }
    }

    @Test("an error from the initializer is passed on and no key is made")
    func initializerErrorPropagates() {
        #expect(throws: CryptoError.authenticationFailed) {
            _ = try SecureKey(count: 32) { (_) throws(CryptoError) in throw .authenticationFailed }
        }
    }

    @Test("an error thrown inside a borrow is passed on with its type")
    func borrowErrorPropagates() throws {
        let key = try SecureKey.random()
        #expect(throws: CryptoError.passphraseHashingFailed) {
            try key.withUnsafeBytes { (_) throws(CryptoError) in throw .passphraseHashingFailed }
        }
        #expect(key.hasSameBytes(as: key))
    }

    @Test("many threads can borrow one key at once (readers are counted)")
    func concurrentBorrowsWork() throws {
        let key = try SecureKey.random()
        let expected = key.withUnsafeBytes { $0.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) } }
        let mismatches = Atomic<Int>(0)
        let borrows = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            for _ in 0..<2_000 {
                let sum = key.withUnsafeBytes { $0.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) } }
                if sum != expected { mismatches.add(1, ordering: .relaxed) }
                borrows.add(1, ordering: .relaxed)
            }
        }
        #expect(borrows.load(ordering: .relaxed) == 32_000)
        #expect(mismatches.load(ordering: .relaxed) == 0)
        #expect(ChildProbe.read(key) == .signaled(SIGSEGV), "the last reader must close the page again")
    }
}

@Suite("Secure helpers: random bytes, wiping, comparison")
struct SecureHelperTests {
    @Test("SecureRandom gives the requested number of bytes, different each time")
    func randomBytes() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(48).count == 48)
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
    }

    @Test("secureZero overwrites every byte of an array")
    func secureZeroWipes() {
        var bytes = [UInt8](repeating: 0xA5, count: 100)
        secureZero(&bytes)
        #expect(bytes.count == 100)
        #expect(bytes.allSatisfy { $0 == 0 })
    }

    @Test("constantTimeEqual is true only for equal byte strings")
    func constantTimeEqualCompares() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(constantTimeEqual([], []))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2]))
    }

    @Test("an ephemeral key buffer has the requested size and is writable")
    func ephemeralBufferUsable() {
        let total = withEphemeralKeyBuffer(count: 40) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 1)
            return buffer.reduce(0) { $0 + Int($1) }
        }
        #expect(total == 40)
    }
}
