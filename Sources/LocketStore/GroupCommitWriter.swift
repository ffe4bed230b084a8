#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import LocketSync
import Synchronization

/// The single writer: one thread, one SQLite connection. Concurrent writes are
/// batched into one transaction and one sync (group commit); each caller is
/// answered only after the transaction holding its write has committed
/// (with `synchronous=FULL`, after the WAL was fsync-ed).
///
/// Each write runs inside its own SAVEPOINT, so a write that fails (a version
/// conflict, a full disk) is rolled back alone and the rest of the batch commits.
/// An *exclusive* write (key rotation) runs in a batch of its own.
///
/// A write that removed secret bytes asks for a scrub (`requestScrub`): a
/// TRUNCATE checkpoint between batches, when it is due, and later a rebuild
/// (`VACUUM`, then the checkpoint; see `WALHygiene`).
final class GroupCommitWriter: @unchecked Sendable {
    struct Job {
        /// Runs the write; returns false when it failed and must be rolled back.
        let run: (SQLiteConnection) -> Bool
        /// Called once the batch committed (nil) or failed to commit (the error).
        let finish: (StoreError?) -> Void
        let exclusive: Bool
        /// Runs alone and outside any transaction (maintenance such as VACUUM); `run`'s result is ignored.
        var bare = false
    }

    let connection: SQLiteConnection
    private let maxBatch: Int
    private let condition = ConditionLock()
    private var queue: [Job] = []
    private var stopping = false
    /// The writer thread's id (`BackgroundThread.currentID`), set by the thread as it
    /// starts: calls made on it must not wait for it. (The thread holds its closure,
    /// which holds the writer, until `stop()` ends the loop.)
    private let threadID = Atomic<UInt>(0)
    private let stopped = DispatchSemaphore(value: 0)
    /// Guards `inBatch` and `batchesDone`, for `waitForBatchInFlight`.
    private let batchState = ConditionLock()
    private var inBatch = false
    private var batchesDone = 0

    /// Bumped after every transaction that committed, before any of its callers is
    /// answered: a `ReadSession` whose transaction began at an older value begins
    /// a new one, so it sees every write acknowledged before its read (`ReadSession`).
    let commitGeneration = Atomic<Int>(0)
    /// Set while a TRUNCATE checkpoint waits for readers (a try was blocked), cleared
    /// when one succeeds. Read sessions then hold no transaction across reads
    /// (`ReadSession`): under a constant load of reads on every event loop one of
    /// them nearly always had a transaction open, and the retries could keep
    /// failing for minutes (deleted secrets staying in the WAL that long).
    let checkpointWaiting = Atomic<Bool>(false)

    /// Statistics for tests and benchmarks: transactions committed and writes in them.
    private(set) var commits = 0
    private(set) var writesCommitted = 0
    /// TRUNCATE checkpoints that succeeded, and tries that readers blocked (see `WALHygiene`).
    /// Locked: tests read them while the writer runs.
    let scrubCounts = Locked(ScrubCounts())
    var scrubsDone: Int { scrubCounts.withLock { $0.done } }
    var scrubsBlocked: Int { scrubCounts.withLock { $0.blocked } }
    /// What the scrubs and rebuilds came to so far, for tests' failure messages.
    var scrubSummary: String {
        let counts = scrubCounts.withLock { $0 }
        return "scrubs done \(counts.done), blocked \(counts.blocked), failed \(counts.failed)"
            + (counts.lastError.map { " (last: \($0))" } ?? "") + ", rebuilds \(counts.rebuilds)"
            + ", checkpoint waiting \(checkpointWaiting.load(ordering: .acquiring))"
            + ", commit generation \(commitGeneration.load(ordering: .acquiring))"
            + "; at \(Int(Date().timeIntervalSince(startedAt) * 1000)) ms: " + counts.events.joined(separator: "; ")
    }
    /// When the writer was made (for the times in `ScrubCounts.events`).
    let startedAt = Date()
    /// Rebuilds (`VACUUM`) that ran (see `WALHygiene`).
    var rebuildsDone: Int { scrubCounts.withLock { $0.rebuilds } }
    /// Writer thread only (`GroupCommitWriter+Scrub.swift`).
    var scrub = ScrubSchedule.scrub
    var rebuild = ScrubSchedule.rebuild

    init(connection: SQLiteConnection, maxBatch: Int) throws(StoreError) {
        self.connection = connection
        self.maxBatch = max(1, maxBatch)
        // The thread keeps the writer alive until `stop()` ends its loop.
        do {
            try BackgroundThread.start(name: "locket-writer") { [self] in
                threadID.store(BackgroundThread.currentID, ordering: .releasing)
                loop()
            }
        } catch {
            guard case .failed(let errno) = error else { throw .unavailable("cannot start the writer thread") }
            throw .unavailable("cannot start the writer thread (errno \(errno))")
        }
    }

    /// Whether the caller runs on the writer thread.
    private var onWriterThread: Bool {
        threadID.load(ordering: .acquiring) == BackgroundThread.currentID
    }

    /// Writes queued and not yet taken into a batch (for tests).
    var queuedJobs: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Queues a write. `finish` runs on the writer thread.
    func submit(_ job: Job) {
        condition.lock()
        if stopping {
            condition.unlock()
            job.finish(.unavailable("the store is closed"))
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` as one write and blocks until it is durable.
    func perform<R>(exclusive: Bool = false, _ body: @escaping (SQLiteConnection) throws(StoreError) -> R) throws(StoreError) -> R {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<R>()
        submit(Self.job(exclusive: exclusive, body) { box.result = $0; done.signal() })
        done.wait()
        return try box.result!.get()
    }

    /// Runs `body` on the writer thread alone, outside any transaction, and waits for it;
    /// then scrubs the WAL (see `WALHygiene`). For maintenance (VACUUM).
    func performOutsideTransaction(_ body: @escaping (SQLiteConnection) -> Void) {
        let done = DispatchSemaphore(value: 0)
        submit(Job(run: { connection in
            body(connection)
            return true
        }, finish: { _ in done.signal() }, exclusive: true, bare: true))
        done.wait()
    }

    /// Runs `body` as one write and calls `completion` (on the writer thread) once it is durable.
    static func job<R>(
        exclusive: Bool = false,
        _ body: @escaping (SQLiteConnection) throws(StoreError) -> R,
        completion: @escaping (Result<R, StoreError>) -> Void
    ) -> Job {
        let box = ResultBox<R>()
        return Job(
            run: { connection in
                box.result = Result { () throws(StoreError) in try body(connection) }
                if case .success = box.result { return true }
                return false
            },
            finish: { commitError in
                if let commitError, case .success = box.result {
                    completion(.failure(commitError))
                } else {
                    completion(box.result ?? .failure(commitError ?? .unavailable("the write did not run")))
                }
            },
            exclusive: exclusive)
    }

    /// Finishes queued writes, then stops the thread. Later submissions fail with `unavailable`.
    func stop() {
        condition.lock()
        let wasRunning = !stopping
        stopping = true
        condition.signal()
        condition.unlock()
        // On the writer thread itself (the vault's last reference went away with a
        // finished job) the loop ends by itself after this batch: waiting would deadlock.
        if wasRunning && !onWriterThread {
            stopped.wait()
        }
    }

    /// Waits until the batch being committed now, if any, has answered its callers
    /// (so a rotation in it has switched the vault's keys). Returns at once on the writer thread.
    func waitForBatchInFlight() {
        guard !onWriterThread else { return }
        batchState.withLock {
            guard inBatch else { return }
            let target = batchesDone + 1
            while batchesDone < target { batchState.wait() }
        }
    }

    private func loop() {
        while true {
            condition.lock()
            var scrubDue = false
            while queue.isEmpty && !stopping {
                guard let wakeAt = [scrub.nextTry, rebuild.nextTry].compactMap({ $0 }).min() else {
                    condition.wait()
                    continue
                }
                // A pending scrub: wake up at its time to run it, unless a write comes first.
                if Date() >= wakeAt || !condition.wait(seconds: wakeAt.timeIntervalSinceNow) {
                    scrubDue = queue.isEmpty
                    if scrubDue { break }
                }
            }
            if queue.isEmpty && stopping {
                condition.unlock()
                break
            }
            if scrubDue {
                condition.unlock()
                let now = Date()
                if rebuild.dueWhenIdle(now: now) {
                    runRebuild()
                } else if scrub.dueWhenIdle(now: now) {
                    runScrub()
                }
                continue
            }
            let batch = takeBatch()
            condition.unlock()
            batchState.withLock { inBatch = true }
            commit(batch)
            batchState.withLock {
                inBatch = false
                batchesDone += 1
                batchState.broadcast()
            }
            let now = Date()
            if rebuild.dueAfterBatch(now: now) {
                runRebuild()
            } else if scrub.dueAfterBatch(now: now) {
                runScrub()
            }
        }
        // A rebuild still pending runs now; closing the last connection then
        // checkpoints the WAL into the database file.
        if rebuild.pending { runRebuild() }
        connection.close()
        stopped.signal()
    }

    /// Takes the next batch: up to `maxBatch` ordinary writes, or one exclusive write alone.
    private func takeBatch() -> [Job] {
        if queue[0].exclusive { return [queue.removeFirst()] }
        var count = 0
        while count < queue.count && count < maxBatch && !queue[count].exclusive { count += 1 }
        let batch = Array(queue[0..<count])
        queue.removeFirst(count)
        return batch
    }

    private func commit(_ batch: [Job]) {
        if batch.count == 1, batch[0].bare {
            _ = batch[0].run(connection)
            // Maintenance (VACUUM) changes no entry, but a new snapshot costs nothing here.
            commitGeneration.add(1, ordering: .releasing)
            scrub.request(now: Date())
            batch[0].finish(nil)
            return
        }
        do {
            try connection.statement("BEGIN IMMEDIATE").run()
        } catch {
            batch.forEach { $0.finish(StoreError(sqlite: error)) }
            return
        }
        for job in batch {
            do {
                try connection.statement("SAVEPOINT write").run()
                if job.run(connection) {
                    try connection.statement("RELEASE write").run()
                } else {
                    try connection.statement("ROLLBACK TO write").run()
                    try connection.statement("RELEASE write").run()
                }
            } catch {
                // A savepoint statement itself failed: give up on the whole batch.
                try? connection.execute("ROLLBACK")
                batch.forEach { $0.finish(StoreError(sqlite: error)) }
                return
            }
        }
        do {
            try connection.statement("COMMIT").run()
            commitGeneration.add(1, ordering: .releasing)
            commits += 1
            writesCommitted += batch.count
            batch.forEach { $0.finish(nil) }
        } catch {
            try? connection.execute("ROLLBACK")
            batch.forEach { $0.finish(StoreError(sqlite: error)) }
        }
    }
}

/// Carries a result from the writer thread to the waiting caller.
final class ResultBox<R>: @unchecked Sendable {
    var result: Result<R, StoreError>?
}

extension StoreError {
    /// Maps a SQLite failure to the protocol's classes of error.
    init(sqlite anyError: any Error) {
        if let error = anyError as? StoreError {
            self = error
            return
        }
        guard let error = anyError as? SQLiteError else {
            self = .unavailable("\(anyError)")
            return
        }
        if error.isFull {
            self = .unavailable("the disk is full; free some space and retry")
        } else if error.isUnwritable {
            self = .unavailable("the data folder cannot be written (\(error.message))")
        } else if error.isCorrupt {
            self = .corrupt("the database file is damaged (\(error.message))")
        } else {
            self = .unavailable("database error \(error.code): \(error.message)")
        }
    }
}
