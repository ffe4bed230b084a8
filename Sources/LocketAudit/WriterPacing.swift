#if canImport(Glibc)
import Glibc
#endif

/// Gives the CPU away every few entries while the audit writer works through
/// a batch.
///
/// A batch gathers up to `AuditLog.gatherSeconds` of requests: at 26k gets/s
/// about 75 entries, ~400 µs of hashing and sealing. When the writer shares a
/// core with an event loop (a pinned daemon, or a machine whose other cores
/// are busy), the scheduler lets it run the whole batch while a `get` that
/// just arrived waits, so the `get` p99 was one batch long. Yielding every
/// `every` entries lets a waiting event loop run after at most that many; with
/// nothing else runnable `sched_yield` returns at once. A step is one piece
/// of an entry's work (hashing its key name, or sealing it), 0.5–2 µs. A
/// writer that has fallen behind does not yield (`forBatch`).
struct WriterPacing {
    /// Steps between two yields.
    let every: Int
    private let yield: () -> Void
    private var count = 0

    /// Pacing that calls `yield` (by default `sched_yield`) after every `every` steps.
    init(every: Int = 6, yield: @escaping () -> Void = { _ = sched_yield() }) {
        self.every = max(1, every)
        self.yield = yield
    }

    /// A batch larger than this means the writer has fallen behind (a batch is
    /// everything queued since the last one; at 80k gets/s a 2 ms gather is 160
    /// entries): it then works through the batch without yielding, so that the
    /// queue, and the memory it holds, shrink again instead of growing towards
    /// `queueCapacity` and dropping entries.
    static let catchUpBatch = 512

    /// The writer yields only while fewer entries than this wait behind its batch
    /// (`AuditLog`): on a machine whose cores are all busy a yield can give the core
    /// away for a whole time slice, and a writer that kept yielding fell behind and
    /// held a queue of thousands of entries (daemon heap after a 100k-put fill 13–31
    /// MiB instead of 7.5).
    static let shortQueue = 64

    /// The pacing for a batch of `entries`: yielding every 6 steps, or never for
    /// a batch past `catchUpBatch`.
    static func forBatch(of entries: Int, yield: @escaping () -> Void = { _ = sched_yield() }) -> WriterPacing {
        WriterPacing(every: entries > catchUpBatch ? Int.max : 6, yield: yield)
    }

    /// Counts one step done; yields the CPU after every `every`-th.
    mutating func stepDone() {
        count += 1
        if count % every == 0 { yield() }
    }

    /// Steps counted so far.
    var steps: Int { count }
}
