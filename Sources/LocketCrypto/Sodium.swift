import CSodium

/// One-time libsodium initialisation. Every entry point of this module touches
/// `Sodium.ready` first; Swift runs a static initialiser exactly once, thread-safely.
enum Sodium {
    static let ready: Bool = sodium_init() >= 0

    @inline(__always)
    static func ensure() {
        precondition(ready, "libsodium could not be initialised")
    }
}

/// Cryptographically secure random bytes from libsodium.
public enum SecureRandom {
    /// Returns `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        Sodium.ensure()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return out
    }

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        Sodium.ensure()
        guard let base = buffer.baseAddress else { return }
        randombytes_buf(base, buffer.count)
    }
}

/// Overwrites memory in a way the compiler will not optimise away.
public func secureZero(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    sodium_memzero(base, buffer.count)
}

/// Overwrites an array's bytes in place (for plaintext that passed through ordinary memory).
public func secureZero(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { secureZero($0) }
}

/// Constant-time comparison of two byte strings of equal length.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    return a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in
            a.isEmpty || sodium_memcmp(pa.baseAddress!, pb.baseAddress!, a.count) == 0
        }
    }
}
