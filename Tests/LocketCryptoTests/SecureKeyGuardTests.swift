import Glibc
import LocketCrypto
import Testing

/// Touches a key's memory in a forked child, where a fault only kills the child.
enum ChildProbe {
    enum Outcome: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)
        case forkFailed

        var description: String {
            switch self {
            case .exited(let code): "exited with \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            case .forkFailed: "fork failed"
            }
        }
    }

    /// Reads byte `offset` of `key` in a child, outside any borrow. The child exits
    /// with a code derived from the byte (never printing it), or dies of the fault.
    static func read(_ key: SecureKey, offset: Int = 0) -> Outcome {
        let address = key.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) } + UInt(offset)
        return run(address: address, write: false)
    }

    /// Forks; the child reads (or writes) the byte at `address` and exits 100 + (byte & 1)
    /// after a read, or 100 after a write. Core dumps are off (ProcessHygiene) so a fault leaves nothing behind.
    static func run(address: UInt, write: Bool) -> Outcome {
        ProcessHygiene.apply()
        let pid = fork()
        if pid == 0 {
            signal(SIGSEGV, SIG_DFL)
            signal(SIGBUS, SIG_DFL)
            if write {
                UnsafeMutableRawPointer(bitPattern: address)!.storeBytes(of: 0, as: UInt8.self)
                _exit(100)
            }
            let byte = UnsafeRawPointer(bitPattern: address)!.load(as: UInt8.self)
            _exit(100 + Int32(byte & 1))
        }
        guard pid > 0 else { return .forkFailed }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }
}

/// Proves the page protection of guarded keys by faulting in a child process.
@Suite("SecureKey: page protection")
struct SecureKeyGuardTests {
    /// A key whose bytes are all `value` (not a secret: a fixed test pattern).
    private func patternKey(_ value: UInt8) throws -> SecureKey {
        try SecureKey(count: 32) { $0.initializeMemory(as: UInt8.self, repeating: value) }
    }

    @Test("outside a borrow, reading the key's memory faults (no access)")
    func memoryIsNoAccessOutsideBorrow() throws {
        let key = try patternKey(0x2B)
        #expect(ChildProbe.read(key) == .signaled(SIGSEGV))
        #expect(ChildProbe.read(key, offset: 31) == .signaled(SIGSEGV))
    }

    @Test("inside a borrow, the key's memory is readable")
    func memoryIsReadableInsideBorrow() throws {
        let key = try patternKey(0x2B)
        let outcome = key.withUnsafeBytes { ChildProbe.run(address: UInt(bitPattern: $0.baseAddress), write: false) }
        #expect(outcome == .exited(101), "0x2B is odd: the child read the real byte")
        let even = try patternKey(0x2A)
        #expect(even.withUnsafeBytes { ChildProbe.run(address: UInt(bitPattern: $0.baseAddress), write: false) } == .exited(100))
    }

    @Test("inside a borrow, the key's memory is read-only (a write faults)")
    func memoryIsReadOnlyInsideBorrow() throws {
        let key = try patternKey(0x2B)
        let outcome = key.withUnsafeBytes { ChildProbe.run(address: UInt(bitPattern: $0.baseAddress), write: true) }
        #expect(outcome == .signaled(SIGSEGV))
    }

    @Test("the byte right after a 32-byte key is a guard page")
    func guardPageFollowsKey() throws {
        let key = try patternKey(0x2B)
        let outcome = key.withUnsafeBytes { ChildProbe.run(address: UInt(bitPattern: $0.baseAddress) + 32, write: false) }
        #expect(outcome == .signaled(SIGSEGV))
    }

    @Test("a borrow that throws still closes the page afterwards")
    func throwingBorrowClosesPage() throws {
        let key = try patternKey(0x2B)
        #expect(throws: CryptoError.authenticationFailed) {
            try key.withUnsafeBytes { (_) throws(CryptoError) in throw .authenticationFailed }
        }
        #expect(ChildProbe.read(key) == .signaled(SIGSEGV))
    }

    @Test("after nested borrows end, the page is closed again")
    func nestedBorrowsCloseThePage() throws {
        let key = try patternKey(0x2B)
        let inside = key.withUnsafeBytes { _ in key.withUnsafeBytes { _ in ChildProbe.read(key) } }
        #expect(inside == .exited(101))
        #expect(ChildProbe.read(key) == .signaled(SIGSEGV))
    }
}
