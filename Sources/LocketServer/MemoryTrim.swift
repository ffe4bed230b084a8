import CLocketSys
import NIOCore
import NIOPosix
import LocketSync
import Synchronization

/// Gives memory freed after a burst back to the system once the daemon goes quiet.
///
/// glibc keeps freed memory in its per-thread arenas: after a burst (a bulk load,
/// a thousand connections) the daemon's resident memory would stay at the burst's
/// high-water mark. Every `period`, if requests came since the last trim and none
/// for `quiet`, `malloc_trim` runs on the thread pool (it walks every arena, so
/// never on an event loop), after the idle read connections and the loops' read
/// sessions have emptied their page caches. A steady load is never interrupted: it is never quiet.
/// The trim also waits for the audit writer to finish its queue: after a burst
/// it can work on for a second or more once the requests have stopped, and
/// the queue's memory is free only then (a trim before it gave nothing back:
/// 10–20 MiB of free heap stayed resident after a 50-connection `get` burst).
final class MemoryTrim: Sendable {
    static let period = TimeAmount.seconds(2)
    static let quietMilliseconds: Int64 = 1000

    private let task: Locked<RepeatedTask?> = Locked(nil)
    /// `lastActivity` at the last trim.
    private let trimmedAt = Atomic<Int64>(0)

    /// Starts the periodic check on `loop`; `stop` ends it.
    func start(dispatcher: Dispatcher, pool: NIOThreadPool, loop: EventLoop) {
        let scheduled = loop.scheduleRepeatedTask(initialDelay: Self.period, delay: Self.period) { [self] _ in
            let last = dispatcher.lastActivity.load(ordering: .relaxed)
            guard last != trimmedAt.load(ordering: .relaxed),
                  Dispatcher.nowMilliseconds() - last >= Self.quietMilliseconds,
                  dispatcher.audit?.isCaughtUp ?? true else { return }
            trimmedAt.store(last, ordering: .relaxed)
            pool.submit { _ in
                dispatcher.reads.releaseMemory()
                dispatcher.vault.releaseMemory()
                _ = locket_malloc_trim()
            }
        }
        task.withLock { $0 = scheduled }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    /// glibc's thresholds as `fixHeapThresholds` sets them.
    static let mmapThreshold = 256 * 1024
    static let trimThreshold = 512 * 1024

    /// Fixes glibc's mmap threshold at 256 KiB and its trim threshold at 512 KiB,
    /// once, before the daemon's threads start; false if glibc refused.
    ///
    /// By default glibc raises both whenever a large mmapped block is freed (up to
    /// 32 MiB and 64 MiB): after the audit queue of a burst (a few MiB) had been
    /// freed, later large blocks came from the threads' heaps, and `malloc_trim`
    /// does not give back the free top of a thread's heap. 10–20 MiB of free heap
    /// stayed resident after a 50-connection `get` burst; fixed, 3.5–6 MiB.
    @discardableResult
    static func fixHeapThresholds() -> Bool {
        locket_malloc_fix_thresholds(Int32(mmapThreshold), Int32(trimThreshold)) == 1
    }
}

extension LocketServer {
    /// Fixes glibc's heap thresholds so that memory freed after a burst goes back
    /// to the system (`MemoryTrim.fixHeapThresholds`). Call once, first thing in
    /// the daemon's `main`, before any thread starts; false if glibc refused.
    @discardableResult
    public static func fixHeapThresholds() -> Bool { MemoryTrim.fixHeapThresholds() }
}
