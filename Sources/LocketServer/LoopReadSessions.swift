import LocketStore
import NIOCore

/// One `ReadSession` per event loop: the `get`s a loop serves in one iteration
/// share one SQLite read transaction.
///
/// The first read of an iteration runs alone, in its statement's own implicit
/// transaction (so a lone `get` pays no BEGIN and COMMIT), and queues a task on
/// the loop that ends the iteration's reads; the second read of the iteration
/// begins the shared transaction (`ReadSession` begins it lazily), which every
/// later read of the iteration uses. NIO runs a loop's
/// tasks after the I/O of each iteration and, before waiting for I/O again,
/// every task queued meanwhile too (`SelectableEventLoop.runOneLoopTick` pops
/// tasks until none is left), so the end runs after the reads of that
/// iteration's I/O and no transaction is open while the loop waits: an idle
/// loop never holds off the writer's checkpoint. A read made by a task after
/// the end queues another end. What a read sees (every write acknowledged
/// before it) is `ReadSession`'s own guarantee, whatever the iteration.
///
/// Built once at start from the group's loops and never changed, so finding a
/// loop's session takes no lock. A read made off the loops (or on a loop not in
/// the group) gets nil from `session(on:)` and reads through the vault instead.
final class LoopReadSessions: Sendable {
    private let sessions: [ObjectIdentifier: LoopReadSession]

    init(vault: Vault, loops: [EventLoop]) {
        var sessions: [ObjectIdentifier: LoopReadSession] = [:]
        for loop in loops {
            sessions[ObjectIdentifier(loop)] = LoopReadSession(loop: loop, session: vault.makeReadSession())
        }
        self.sessions = sessions
    }

    /// The session of `loop`, if the caller runs on it and it has one.
    func session(on loop: EventLoop) -> LoopReadSession? {
        guard let session = sessions[ObjectIdentifier(loop)], loop.inEventLoop else { return nil }
        return session
    }

    /// Empties the sessions' page caches, each on its loop, and waits (for `MemoryTrim`,
    /// before `malloc_trim`, so the pages freed are given back too). Not from an event loop.
    func releaseMemory() {
        for session in sessions.values {
            try? session.loop.submit { session.releaseMemory() }.wait()
        }
    }

    /// Ends and closes every session on its loop, and waits: before the vault closes.
    /// Not from an event loop.
    func closeAll() {
        for session in sessions.values {
            try? session.loop.submit { session.close() }.wait()
        }
    }

    /// Read transactions begun so far on each loop (for tests), each read on its loop.
    func transactionsBegun() -> [Int] {
        sessions.values.map { session in (try? session.loop.submit { session.transactionsBegun }.wait()) ?? 0 }
    }

    /// Reads served so far by each loop's session (for tests), each read on its loop.
    func readsServed() -> [Int] {
        sessions.values.map { session in (try? session.loop.submit { session.reads }.wait()) ?? 0 }
    }
}

/// A loop's `ReadSession` and whether the task ending its transaction is queued.
/// Used on its loop only (`LoopReadSessions.session(on:)` checks), hence `@unchecked Sendable`.
final class LoopReadSession: @unchecked Sendable {
    let loop: EventLoop
    private let session: ReadSession
    /// Whether the task ending this iteration's reads is queued (then a read was made this iteration).
    private var endQueued = false

    init(loop: EventLoop, session: ReadSession) {
        self.loop = loop
        self.session = session
    }

    /// `ReadSession.get`: the iteration's first read alone, later ones in this iteration's
    /// transaction. A read from the row cache touches no transaction and queues no end.
    func get(ns: String, key: String) throws(StoreError) -> Entry {
        let first = !endQueued
        let queries = session.queries
        defer { if session.queries != queries { queueEnd() } }
        return try session.get(ns: ns, key: key, alone: first)
    }

    /// Queues, once per iteration, a task behind this iteration's work that ends its transaction (if one began).
    private func queueEnd() {
        guard !endQueued else { return }
        endQueued = true
        loop.assumeIsolatedUnsafeUnchecked().execute { [self] in
            endQueued = false
            session.end()
        }
    }

    fileprivate func releaseMemory() { session.releaseMemory() }

    fileprivate func close() { session.close() }

    /// For tests, on the loop: whether a transaction is open, and how many began.
    var inTransaction: Bool { session.inTransaction }
    var transactionsBegun: Int { session.transactionsBegun }
    var reads: Int { session.reads }
}
