import LocketSync
import Logging
import NIOCore
import Synchronization

/// Under socket activation: calls `onIdleExit` once nothing has been connected
/// and nothing asked for a while (the daemon then stops; the socket starts it
/// again on the next connection). Checks a few times per period.
final class IdleExit: Sendable {
    private let task: Locked<RepeatedTask?> = Locked(nil)

    /// `connectionCount` is read on `loop`; `onIdleExit` is called there, once.
    init(after idle: TimeAmount, dispatcher: Dispatcher, connectionCount: @escaping @Sendable () -> Int,
         loop: EventLoop, logger: Logger, _ onIdleExit: @escaping @Sendable () -> Void) {
        let period = TimeAmount.nanoseconds(max(idle.nanoseconds / 4, TimeAmount.milliseconds(100).nanoseconds))
        let limit = idle.nanoseconds / 1_000_000
        let fired = Atomic<Bool>(false)
        let repeated = loop.scheduleRepeatedTask(initialDelay: period, delay: period) { task in
            let quietFor = Dispatcher.nowMilliseconds() - dispatcher.lastActivity.load(ordering: .relaxed)
            guard connectionCount() == 0, quietFor >= limit, !fired.exchange(true, ordering: .relaxed) else { return }
            logger.info("exiting after idle time; the socket starts locketd again on the next request",
                        metadata: ["idle_s": "\(quietFor / 1000)"])
            task.cancel()
            onIdleExit()
        }
        task.withLock { $0 = repeated }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
