import Glibc
import LocketCrypto
import Testing

/// The two page-protection policies of `SecureKey`, proved by touching the
/// key's memory in a forked child (`ChildProbe`), where a fault only kills the child.
@Suite("SecureKey: protection policies")
struct SecureKeyProtectionTests {
    /// A key whose bytes are all `value` (a fixed test pattern, not a secret).
    private func patternKey(_ value: UInt8, _ protection: SecureKey.Protection) throws -> SecureKey {
        try SecureKey(count: 32, protection: protection) { $0.initializeMemory(as: UInt8.self, repeating: value) }
    }

    @Test("guarded is the default, for new, random, copied, derived and unwrapped keys")
    func guardedIsTheDefault() throws {
        let master = try SecureKey.random()
        #expect(master.protection == .guarded)
        #expect(try patternKey(1, .guarded).protection == .guarded)
        #expect(try [UInt8](repeating: 3, count: 32).withUnsafeBytes { try SecureKey(copying: $0) }.protection == .guarded)
        #expect(try KeyDerivation.derive(.wrap, from: master).protection == .guarded)
        let wrapped = KeyWrap.wrap(try SecureKey.random(), under: master, context: [1])
        #expect(try KeyWrap.unwrap(wrapped, under: master, context: [1]).protection == .guarded)
        #expect(ChildProbe.read(master) == .signaled(SIGSEGV))
    }

    @Test("readable while held: readable outside a borrow, with the real bytes")
    func readableOutsideBorrow() throws {
        let odd = try patternKey(0x2B, .readableWhileHeld)
        #expect(odd.protection == .readableWhileHeld)
        #expect(ChildProbe.read(odd) == .exited(101))
        #expect(ChildProbe.read(odd, offset: 31) == .exited(101))
        #expect(ChildProbe.read(try patternKey(0x2A, .readableWhileHeld)) == .exited(100))
    }

    @Test("readable while held: never writable, inside or outside a borrow")
    func neverWritable() throws {
        let key = try patternKey(0x2B, .readableWhileHeld)
        let address = key.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(ChildProbe.run(address: address, write: true) == .signaled(SIGSEGV))
        #expect(key.withUnsafeBytes { ChildProbe.run(address: UInt(bitPattern: $0.baseAddress), write: true) } == .signaled(SIGSEGV))
    }

    @Test("readable while held: still fenced by a guard page")
    func guardPageFollowsReadableKey() throws {
        let key = try patternKey(0x2B, .readableWhileHeld)
        let address = key.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) } + 32
        #expect(ChildProbe.run(address: address, write: false) == .signaled(SIGSEGV))
    }

    @Test("readable while held: a borrow leaves the page readable (no toggling), a guarded key's closes")
    func borrowsDoNotToggle() throws {
        let readable = try patternKey(0x2B, .readableWhileHeld)
        let guarded = try patternKey(0x2B, .guarded)
        _ = readable.withUnsafeBytes { _ in 0 }
        _ = guarded.withUnsafeBytes { _ in 0 }
        #expect(ChildProbe.read(readable) == .exited(101))
        #expect(ChildProbe.read(guarded) == .signaled(SIGSEGV))
    }

    @Test("derivation and unwrapping give the protection asked for, with the same bytes either way")
    func derivedAndUnwrappedCarryProtection() throws {
        let master = try SecureKey.random()
        let readable = try KeyDerivation.derive(.lookup, from: master, protection: .readableWhileHeld)
        #expect(readable.protection == .readableWhileHeld)
        #expect(readable.hasSameBytes(as: try KeyDerivation.derive(.lookup, from: master)))
        let index = try SecureKey.random()
        let wrapped = KeyWrap.wrap(index, under: master, context: [7])
        let unwrapped = try KeyWrap.unwrap(wrapped, under: master, context: [7], protection: .readableWhileHeld)
        #expect(unwrapped.protection == .readableWhileHeld)
        #expect(unwrapped.hasSameBytes(as: index))
        #expect(ChildProbe.read(unwrapped) == .exited(index.withUnsafeBytes { 100 + Int32($0[0] & 1) }))
    }
}
