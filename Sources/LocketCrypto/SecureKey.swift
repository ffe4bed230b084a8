import Synchronization
import CSodium
import LocketSync

/// Key material held in guarded memory.
///
/// The bytes live in `sodium_malloc` memory: locked into RAM (never swapped),
/// fenced by guard pages, and zeroed and freed on deinit. Outside a borrow
/// their page is no-access (`Protection.guarded`, the default) or, for keys
/// used on every request, read-only for as long as the key is held
/// (`Protection.readableWhileHeld`): toggling page protection costs two
/// `mprotect` calls and a TLB shoot-down on every other core per use.
///
/// A `SecureKey` is a reference with no API that copies its bytes out: the
/// only way to read them is a scoped borrow, so it cannot be duplicated by
/// accident. Concurrent readers are counted, so the page is made readable once
/// for all of them and closed again when the last one returns.
public final class SecureKey: @unchecked Sendable {
    /// Who may read the key's page, and when.
    public enum Protection: Sendable, Equatable {
        /// No access except while a `withUnsafeBytes` borrow runs: each borrow
        /// makes the page readable and closes it again. For keys used rarely
        /// (the master key, keys used only at unlock or rotation).
        case guarded
        /// Read-only (never writable) from creation until the key is freed; a
        /// borrow changes nothing. For sub-keys the data path uses on every
        /// request, held only while the vault is unlocked.
        case readableWhileHeld
    }

    /// Length of the key in bytes.
    public let count: Int
    /// This key's page protection outside a borrow.
    public let protection: Protection
    private let base: UnsafeMutableRawPointer
    // Number of borrows in flight; transitions 0→1 and 1→0 change the page protection.
    private let readers = Locked<Int>(0)

    /// How many allocations could not be locked into RAM (`mlock` refused, usually
    /// because `RLIMIT_MEMLOCK` is too small for an unprivileged process): their keys
    /// may be written to swap. `sodium_malloc` ignores that failure, so each
    /// allocation locks its bytes once more, which costs nothing when they already are.
    public static var lockFailures: Int { lockFailureCount.load(ordering: .relaxed) }
    private static let lockFailureCount = Atomic<Int>(0)

    /// Allocates `count` bytes of guarded memory and lets `initialize` fill them.
    /// The memory is read-write only during `initialize`; afterwards it is
    /// no-access or read-only, as `protection` says.
    public init(
        count: Int, protection: Protection = .guarded,
        initialize: (UnsafeMutableRawBufferPointer) throws(CryptoError) -> Void
    ) throws(CryptoError) {
        guard Sodium.ready else { throw .sodiumUnavailable }
        guard count > 0, let pointer = sodium_malloc(count) else { throw .outOfSecureMemory }
        if sodium_mlock(pointer, count) != 0 { Self.lockFailureCount.add(1, ordering: .relaxed) }
        // Fill before the stored properties are set: a throw from a fully
        // initialised class runs deinit, which would free the memory a second time.
        do {
            try initialize(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        } catch {
            sodium_memzero(pointer, count)
            sodium_free(pointer)
            throw error
        }
        switch protection {
        case .guarded: sodium_mprotect_noaccess(pointer)
        case .readableWhileHeld: sodium_mprotect_readonly(pointer)
        }
        self.count = count
        self.protection = protection
        self.base = pointer
    }

    /// A fresh random key of `count` bytes (32 by default).
    public static func random(count: Int = 32, protection: Protection = .guarded) throws(CryptoError) -> SecureKey {
        try SecureKey(count: count, protection: protection) { SecureRandom.fill($0) }
    }

    /// A key whose bytes are copied from `source`. The caller stays responsible
    /// for wiping `source`.
    public convenience init(copying source: UnsafeRawBufferPointer, protection: Protection = .guarded) throws(CryptoError) {
        try self.init(count: source.count, protection: protection) { destination in
            destination.copyMemory(from: source)
        }
    }

    deinit {
        sodium_mprotect_readwrite(base)
        sodium_memzero(base, count)
        sodium_free(base)
    }

    /// Borrows the key bytes for the duration of `body`. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        if protection == .readableWhileHeld {
            return try body(UnsafeRawBufferPointer(start: base, count: count))
        }
        readers.withLock { count in
            if count == 0 { sodium_mprotect_readonly(base) }
            count += 1
        }
        defer {
            readers.withLock { count in
                count -= 1
                if count == 0 { sodium_mprotect_noaccess(base) }
            }
        }
        return try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Whether two keys hold the same bytes (constant time).
    public func hasSameBytes(as other: SecureKey) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBytes { a in
            other.withUnsafeBytes { b in sodium_memcmp(a.baseAddress!, b.baseAddress!, count) == 0 }
        }
    }
}

/// Runs `body` with a temporary heap buffer for short-lived key material
/// (per-entry data keys) and wipes it afterwards, whatever `body` does.
public func withEphemeralKeyBuffer<R, E: Error>(
    count: Int = 32,
    _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
) throws(E) -> R {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
    defer {
        secureZero(buffer)
        buffer.deallocate()
    }
    return try body(buffer)
}
