import LocketProtocol
import Synchronization

/// The daemon's total buffered bytes across all connections: partial request
/// lines held by the line decoders, and answers made but not yet written to
/// their sockets. Past `cap`:
/// - a connection whose unfinished line holds more than `sheddingThreshold`
///   bytes and grows is answered `unavailable` and closed (like a line over the
///   limit), which gives its memory back;
/// - every new request is answered `unavailable` at once instead of being
///   served (its answer could be large), until the total is below the cap.
/// Small requests are never held back waiting for memory, so no client stalls
/// another: they get an answer, `unavailable` at worst. (PROTOCOL.md §2, "Memory cap".)
final class BufferBudget: Sendable {
    /// The cap, bytes.
    let cap: Int
    /// An unfinished line at most this long is never shed.
    let sheddingThreshold: Int
    private let total = Atomic<Int>(0)

    init(cap: Int, sheddingThreshold: Int = 64 << 10) {
        self.cap = max(1, cap)
        self.sheddingThreshold = sheddingThreshold
    }

    /// Bytes buffered now.
    var bytes: Int { total.load(ordering: .relaxed) }

    /// Whether the total is at or over the cap.
    var isFull: Bool { bytes >= cap }

    /// Adds `delta` bytes (negative: releases them).
    func add(_ delta: Int) {
        guard delta != 0 else { return }
        total.add(delta, ordering: .relaxed)
    }

    /// The answer to a request refused because the buffers are full.
    func fullAnswer(id: [UInt8]?) -> [UInt8] {
        Response.failure(id: id, ProtocolError(.unavailable, "locketd's buffers are full (over \(cap) bytes across connections); retry later")).bytes
    }
}
