#if canImport(Glibc)
import Glibc
#endif

/// Gives the CPU away every few entries while the audit writer works through
/// a batch, as long as the queue behind the batch is short.
///
/// A batch gathers up to `AuditLog.gatherSeconds` of requests (2 ms when this
/// was written: at 26k gets/s about 75 entries, ~400 µs of hashing and sealing). When the writer shares a
/// core with an event loop (a pinned daemon, or a machine whose other cores
/// are busy), the scheduler lets it run the whole batch while a `get` that
/// just arrived waits, so the `get` p99 was one batch long. Yielding every
/// `every` steps lets a waiting event loop run after at most that many; with
/// nothing else runnable `sched_yield` returns at once. A step is one piece
/// of an entry's work (hashing its key name, or sealing it), 0.5–2 µs.
///
/// A yield hands the core over only when the scheduler sees another task as
/// due. Under EEVDF (Linux 6.6 and later) a writer whose wake-ups were
/// preempted is owed that time and keeps the core through its yields until it
/// is repaid: on one shared core it then runs 0.3–0.6 ms in one stretch every
/// few milliseconds, which is the pinned `get` p99 (BENCHMARKS.md, "The pinned
/// tail, traced to the scheduler", with the alternatives measured there).
///
/// A writer that has fallen behind does not yield: while `shortQueue` entries
/// or more wait behind its batch (`waiting()`), it works straight through, so
/// the queue, and the memory it holds, shrink again.
struct WriterPacing {
    /// The writer yields only while fewer entries than this wait behind its batch:
    /// on a machine whose cores are all busy a yield can give the core away for a
    /// whole time slice, and a writer that kept yielding fell behind and held a
    /// queue of thousands of entries (daemon heap after a 100k-put fill 13–31 MiB
    /// instead of 7.5).
    static let shortQueue = 64

    /// Steps between two yields.
    let every: Int
    private let waiting: () -> Int
    private let yield: () -> Void
    private var count = 0

    /// Pacing that calls `yield` (by default `sched_yield`) after every `every`
    /// steps while `waiting()` (the entries queued behind the batch) is under
    /// `shortQueue`.
    init(every: Int = 6, waiting: @escaping () -> Int, yield: @escaping () -> Void = { _ = sched_yield() }) {
        self.every = max(1, every)
        self.waiting = waiting
        self.yield = yield
    }

    /// Counts one step done; after every `every`-th, yields the CPU unless the queue is long.
    mutating func stepDone() {
        count += 1
        if count % every == 0, waiting() < Self.shortQueue { yield() }
    }

    /// Steps counted so far.
    var steps: Int { count }
}
