/// One flush per read burst: the flushes asked for from the first request line
/// of a socket read to its `channelReadComplete` are held and done once at its
/// end, so the answers to a pipelined batch leave in one `writev` (one wake-up
/// of the client) rather than one `write` each. A flush outside a burst (an
/// answer made off the loop) goes at once.
///
/// The line decoder delivers a read's lines and then its read-complete. At end
/// of input it may deliver its last lines without a read-complete, so the
/// `inputClosed` event ends the burst too. A pure value: `RequestHandler` does
/// the flushing it decides.
struct ReadBurst: Sendable {
    private var inBurst = false
    private var flushPending = false

    /// A request line of a socket read arrived.
    mutating func lineRead() {
        inBurst = true
    }

    /// Answers were written: whether to flush them now (outside a burst), or hold the flush.
    mutating func shouldFlushNow() -> Bool {
        if inBurst {
            flushPending = true
            return false
        }
        return true
    }

    /// The read ended (its read-complete, input closed, or the handler leaving):
    /// whether a held flush is due now.
    mutating func end() -> Bool {
        inBurst = false
        defer { flushPending = false }
        return flushPending
    }
}
