import Foundation

/// Starts the client threads' rounds together and tells the driver when all of
/// them have stopped (parked). The condition's lock orders the driver's reads
/// and writes of the clients' models with the threads' own.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var round = 0
    private var parked = 0
    private var finished = false

    /// Client side: waits for a round after `seen`; nil when the run is over.
    func nextRound(after seen: Int) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while round == seen && !finished { condition.wait() }
        return finished ? nil : round
    }

    /// Client side: this thread's round is over.
    func park() {
        condition.lock()
        parked += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Driver side: starts the next round of every client.
    func release() {
        condition.lock()
        parked = 0
        round += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Driver side: waits until `count` clients have parked; false at the deadline.
    func waitUntilParked(_ count: Int, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while parked < count {
            if !condition.wait(until: deadline) { return parked >= count }
        }
        return true
    }

    /// Driver side: ends the run; parked threads return from `nextRound`.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
