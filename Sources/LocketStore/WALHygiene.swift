#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Keeps deleted secrets off the disk: what the writer connection sets, and when
/// it truncates the write-ahead log.
///
/// `secure_delete` makes SQLite zero a deleted record's bytes in its b-tree page
/// and zero pages it frees (overflow pages of large values), in the database
/// file and in the page it appends to the WAL. Older copies of the page stay in
/// earlier WAL frames, though, until a checkpoint copies the WAL into the
/// database and the WAL is truncated. So a write that removes secret bytes (a
/// delete, an expiry sweep, a rotation's old wrapped keys, a migration) asks for
/// a *scrub*: a TRUNCATE checkpoint on the writer thread, once no write has come
/// for `quietPeriod` (a burst of deletes shares one), and under a load that never
/// pauses at the first batch end `maxDelay` after it was asked for. A reader
/// still holding a snapshot in the WAL makes it fail without waiting; it is
/// retried after `retryDelay` (doubling up to `maxRetryDelay`).
///
/// A checkpoint is not enough on its own: when SQLite rebalances a b-tree it
/// rebuilds a page by copying its cells to the page's end and does not zero
/// the space the cells left (`rebuildPage` in btree.c), so an older copy of a
/// live cell can stay in a page's unallocated space; once that record is deleted
/// (or its wrapped key replaced by a rotation) the copy is the only one left,
/// and `secure_delete` never sees it. So a removal also asks for a *rebuild*:
/// `VACUUM` (every page written anew, the file cut to its new size), then the
/// TRUNCATE checkpoint. It runs once no write has come for
/// `rebuildQuietPeriod`, under writes that never pause at the first batch end
/// `rebuildMaxDelay` after it was asked for, and before the writer closes.
///
/// `journal_size_limit` bounds what the WAL keeps on disk after a checkpoint reset it.
enum WALHygiene {
    /// Bytes the WAL file is cut back to when it is reset (SQLite's auto-checkpoint keeps it near 4 MiB anyway).
    static let journalSizeLimit = 4 * 1024 * 1024
    /// Set on the writer connection at open.
    static let pragmas = "PRAGMA secure_delete = ON; PRAGMA journal_size_limit = \(journalSizeLimit);"
    /// A pending scrub runs once no write has come for this long…
    static let quietPeriod: TimeInterval = 0.02
    /// …or, under constant writes, at the first batch end this long after it was asked for.
    static let maxDelay: TimeInterval = 0.25
    /// A pending rebuild runs once no write has come for this long…
    static let rebuildQuietPeriod: TimeInterval = 1
    /// …or, under constant writes, at the first batch end this long after it was asked for.
    static let rebuildMaxDelay: TimeInterval = 30
    static let retryDelay: TimeInterval = 0.01
    static let maxRetryDelay: TimeInterval = 1
}

/// The writer's pending scrub or rebuild (see `WALHygiene`). Used on the writer thread only.
struct ScrubSchedule {
    /// How long writes must pause before it runs, and how long constant writes may put it off.
    let quietPeriod: TimeInterval
    let maxDelay: TimeInterval
    /// When the pending scrub was asked for (nil: none is pending).
    private var requestedAt: Date?
    /// When to try it, if no write comes first (nil: not yet planned).
    private(set) var nextTry: Date?
    /// Whether `nextTry` is a retry after readers blocked a try (then writes do not push it back).
    private var retrying = false
    private var delay = WALHygiene.retryDelay

    /// The TRUNCATE checkpoint's schedule.
    static var scrub: ScrubSchedule { ScrubSchedule(quietPeriod: WALHygiene.quietPeriod, maxDelay: WALHygiene.maxDelay) }
    /// The rebuild's (`VACUUM`, then the checkpoint).
    static var rebuild: ScrubSchedule { ScrubSchedule(quietPeriod: WALHygiene.rebuildQuietPeriod, maxDelay: WALHygiene.rebuildMaxDelay) }

    init(quietPeriod: TimeInterval, maxDelay: TimeInterval) {
        self.quietPeriod = quietPeriod
        self.maxDelay = maxDelay
    }

    var pending: Bool { requestedAt != nil }

    mutating func request(now: Date) {
        if requestedAt == nil { requestedAt = now }
    }

    /// After a batch committed: whether to scrub now. Otherwise plans the next try.
    mutating func dueAfterBatch(now: Date) -> Bool {
        guard let requestedAt else { return false }
        if now.timeIntervalSince(requestedAt) >= maxDelay, !retrying || now >= (nextTry ?? now) { return true }
        if !retrying { nextTry = now.addingTimeInterval(quietPeriod) }
        return false
    }

    /// When the writer woke up at `nextTry` with no write waiting: whether to scrub now.
    func dueWhenIdle(now: Date) -> Bool {
        guard pending, let nextTry else { return false }
        return now >= nextTry
    }

    mutating func succeeded() {
        self = ScrubSchedule(quietPeriod: quietPeriod, maxDelay: maxDelay)
    }

    /// Readers blocked it: try again later, writes or not.
    mutating func blocked(now: Date) {
        retrying = true
        nextTry = now.addingTimeInterval(delay)
        delay = min(delay * 2, WALHygiene.maxRetryDelay)
    }
}

/// What the writer's scrubs and rebuilds came to (see `WALHygiene`), for tests and their messages.
struct ScrubCounts: Sendable {
    /// TRUNCATE checkpoints that succeeded.
    var done = 0
    /// Tries that readers blocked (retried).
    var blocked = 0
    /// Tries that failed with an error other than a reader in the way (retried).
    var failed = 0
    /// The last such error (SQLite's text; never a value).
    var lastError: String?
    /// Rebuilds (`VACUUM`) that ran.
    var rebuilds = 0
    /// `rebuilds` as of the last TRUNCATE checkpoint that succeeded: once it is past a
    /// count, the rebuild that made that count had its WAL truncated after it.
    var rebuildsTruncated = 0
    /// The WAL's size right after the last TRUNCATE checkpoint that succeeded (0 unless
    /// SQLite kept something). Other writes (the audit log's head, stored after each
    /// sync) grow it again later; that is not what this is about.
    var walBytesAfterTruncate = 0
    /// The last few scrubs and rebuilds, oldest first: what each did, when (ms since
    /// the writer started), the WAL's bytes before and after, and commits so far.
    private(set) var events: [String] = []

    mutating func note(_ event: String) {
        if events.count == 24 { events.removeFirst() }
        events.append(event)
    }
}
