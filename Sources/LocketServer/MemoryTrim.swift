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
                  Dispatcher.nowMilliseconds() - last >= Self.quietMilliseconds else { return }
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
}
