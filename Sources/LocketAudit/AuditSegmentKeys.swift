import LocketCrypto
import LocketSync

/// The segment keys a reader opened before, so that reading the same log again
/// (the daemon's `audit` op, `locket audit`) does not open every segment's key
/// again: an X25519 `crypto_box_seal_open` and a guarded allocation each.
///
/// A key is found by its segment id AND its sealed bytes: a header whose sealed
/// key was changed after a first read is a miss, is opened again, and fails as
/// before (reported as a tampered header). Only keys that opened are kept, in
/// guarded memory (`SecureKey`, read-only while held, as the reader keeps them),
/// at most `capacity` of them; the oldest goes first. Thread-safe.
final class AuditSegmentKeys: Sendable {
    /// How many opened keys are kept at most (a log has a few segments per daemon start).
    static let capacity = 64

    private struct State {
        var keys: [[UInt8]: SecureKey] = [:]
        /// Lookup keys in the order they were added (oldest first).
        var order: [[UInt8]] = []
        var opens = 0
    }

    private let state = Locked(State())

    init() {}

    /// The key of segment `id` sealed as `sealed`: kept from before, or opened
    /// with `open` (outside the lock) and kept if it opens. Throws what `open` throws.
    func key(segment id: [UInt8], sealed: [UInt8],
             open: () throws(CryptoError) -> SecureKey) throws(CryptoError) -> SecureKey {
        let lookup = id + sealed
        if let kept = state.withLock({ $0.keys[lookup] }) { return kept }
        state.withLock { $0.opens += 1 }
        let key = try open()
        state.withLock { state in
            guard state.keys[lookup] == nil else { return }
            if state.order.count >= Self.capacity {
                let oldest = state.order.removeFirst()
                state.keys[oldest] = nil
            }
            state.keys[lookup] = key
            state.order.append(lookup)
        }
        return key
    }

    /// How many keys were opened (misses), for tests.
    var opens: Int { state.withLock { $0.opens } }

    /// How many keys are kept now.
    var count: Int { state.withLock { $0.keys.count } }
}
