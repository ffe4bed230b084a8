import LocketSync
import Logging
import NIOCore

/// Locks the vault after a period with no requests (the master key leaves memory).
final class IdleLocker: Sendable {
    private let task: Locked<RepeatedTask?> = Locked(nil)

    init(dispatcher: Dispatcher, after idle: TimeAmount, loop: EventLoop, logger: Logger) {
        let period = TimeAmount.nanoseconds(max(idle.nanoseconds / 4, TimeAmount.milliseconds(100).nanoseconds))
        let limit = idle.nanoseconds / 1_000_000
        let repeated = loop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            let idleFor = Dispatcher.nowMilliseconds() - dispatcher.lastActivity.load(ordering: .relaxed)
            if idleFor >= limit, !dispatcher.vault.state.isLocked {
                dispatcher.vault.lock(reason: .idle)
                dispatcher.watchHub.vaultStateMayHaveChanged()
                dispatcher.leases.vaultLocked()
                logger.notice("vault locked after idle time", metadata: ["idle_s": "\(idleFor / 1000)"])
            }
        }
        task.withLock { $0 = repeated }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
