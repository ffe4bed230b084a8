import Foundation

/// Keeps deleted secrets off the disk: what the writer connection sets, and when
/// it truncates the write-ahead log.
///
/// `secure_delete` makes SQLite zero a deleted record's bytes in its b-tree page
/// and zero pages it frees (overflow pages of large values), in the database
/// file and in the page it appends to the WAL. Older copies of the page stay in
/// earlier WAL frames, though, until a checkpoint copies the WAL into the
/// database and the WAL is truncated. So a write that removes secret bytes (a
/// delete, an expiry sweep, a rotation's old wrapped keys, a migration) asks for
/// a *scrub*: a TRUNCATE checkpoint on the writer thread, once no write is
/// waiting (coalescing a burst of deletes into one), or after
/// `batchesBeforeForcedScrub` batches under sustained load. A reader still
/// holding a snapshot in the WAL makes it fail without waiting; it is retried
/// after `retryDelay` (doubling up to `maxRetryDelay`) or after the next batch.
///
/// `journal_size_limit` bounds what the WAL keeps on disk after a checkpoint reset it.
enum WALHygiene {
    /// Bytes the WAL file is cut back to when it is reset (SQLite's auto-checkpoint keeps it near 4 MiB anyway).
    static let journalSizeLimit = 4 * 1024 * 1024
    /// Set on the writer connection at open.
    static let pragmas = "PRAGMA secure_delete = ON; PRAGMA journal_size_limit = \(journalSizeLimit);"
    /// Under a queue that never empties, a pending scrub runs after this many batches.
    static let batchesBeforeForcedScrub = 32
    static let retryDelay: TimeInterval = 0.01
    static let maxRetryDelay: TimeInterval = 1
}

/// The writer's pending scrub (see `WALHygiene`). Used on the writer thread only.
struct ScrubSchedule {
    /// A write asked for a scrub that has not succeeded yet.
    private(set) var pending = false
    /// Batches committed since the scrub was asked for or last tried.
    private var batchesWaited = 0
    /// When to try again while idle, after readers blocked the last try.
    private(set) var retryAt: Date?
    private var delay = WALHygiene.retryDelay

    mutating func request() { pending = true }

    /// Whether to scrub now, after a batch committed (`idle`: no write is waiting).
    mutating func due(afterBatch: Bool, idle: Bool, now: Date) -> Bool {
        guard pending else { return false }
        if afterBatch { batchesWaited += 1 }
        if idle { return retryAt.map { now >= $0 } ?? true }
        return batchesWaited >= WALHygiene.batchesBeforeForcedScrub
    }

    mutating func succeeded() {
        self = ScrubSchedule()
    }

    /// Readers blocked it: try again later.
    mutating func blocked(now: Date) {
        batchesWaited = 0
        retryAt = now.addingTimeInterval(delay)
        delay = min(delay * 2, WALHygiene.maxRetryDelay)
    }
}
