/// The bytes of answers one connection holds (made, not yet written out),
/// counted against the daemon-wide `BufferBudget` until they are written or
/// the connection's handler goes away.
struct HeldAnswers {
    /// The daemon-wide cap; nil counts nothing.
    let budget: BufferBudget?
    /// Bytes counted against `budget` now.
    private(set) var bytes = 0
    private var released = false

    init(budget: BufferBudget?) {
        self.budget = budget
    }

    /// Whether written answers need a callback to be uncounted.
    var isCounting: Bool { budget != nil && !released }

    /// Counts `delta` more bytes (negative: written out).
    mutating func add(_ delta: Int) {
        guard let budget, !released, delta != 0 else { return }
        bytes += delta
        budget.add(delta)
    }

    /// Gives every byte back and counts nothing more (the handler is gone).
    mutating func release() {
        budget?.add(-bytes)
        bytes = 0
        released = true
    }
}
