#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketStore
import LocketSync
import Logging
import NIOCore
import NIOPosix

/// Drives the expiry sweep by the next expiry time, like git's credential
/// cache: each sweep returns when the next entry expires, and that becomes the
/// wait. A put with an earlier expiry pulls the next sweep forward. No polling.
final class ExpiryScheduler: Sendable {
    private let loop: EventLoop
    private let pool: NIOThreadPool
    private let logger: Logger
    private let vault: Locked<Vault?> = Locked(nil)
    /// When the scheduled sweep runs, and its task.
    private let scheduled: Locked<(at: Date, task: Scheduled<Void>)?> = Locked(nil)
    /// Longest sleep between sweeps even with nothing due (a safety net, not a poll).
    static let longestWait: TimeInterval = 3600

    init(loop: EventLoop, pool: NIOThreadPool, logger: Logger) {
        self.loop = loop
        self.pool = pool
        self.logger = logger
    }

    /// Starts sweeping `vault`: once now, then by the next expiry.
    func start(_ vault: Vault) {
        self.vault.withLock { $0 = vault }
        schedule(at: Date())
    }

    func stop() {
        vault.withLock { $0 = nil }
        scheduled.withLock { current in
            current?.task.cancel()
            current = nil
        }
    }

    /// A put just set an expiry: sweep then, if that is sooner than planned.
    func noteExpiry(_ date: Date) {
        let sooner = scheduled.withLock { current in current.map { date < $0.at } ?? true }
        if sooner { schedule(at: date) }
    }

    private func schedule(at date: Date) {
        let delay = max(0, date.timeIntervalSinceNow)
        scheduled.withLock { current in
            if let current, current.at <= date, current.at > Date() { return }
            current?.task.cancel()
            // A little past the instant, so the entry has expired by the sweep's clock.
            let task = loop.scheduleTask(in: .milliseconds(Int64(delay * 1000) + 5)) { [self] in _ = sweep() }
            current = (date, task)
        }
    }

    /// The planned sweep is overdue by the wall clock: the clock was stepped
    /// forward past an expiry (the timer runs on the monotonic clock and does not
    /// notice), or the timer is late. Then this sweeps now and returns when the
    /// sweep is done, so a request that finds an entry expired answers only after
    /// it is gone from disk, and setting the clock back cannot revive it. nil when
    /// nothing is due.
    func sweepIfOverdue() -> EventLoopFuture<Void>? {
        guard isOverdue else { return nil }
        return sweep()
    }

    /// Whether the next sweep's time has passed (`sweepIfOverdue` would start it).
    var isOverdue: Bool {
        scheduled.withLock { current in current.map { $0.at <= Date() } ?? false }
    }

    @discardableResult
    private func sweep() -> EventLoopFuture<Void> {
        scheduled.withLock { current in
            current?.task.cancel()
            current = nil
        }
        guard let vault = vault.withLock({ $0 }) else { return loop.makeSucceededVoidFuture() }
        let done = loop.makePromise(of: Void.self)
        pool.runIfActive(eventLoop: loop) { () -> Date? in
            guard !vault.state.isLocked else { return nil }
            let result = try vault.sweepExpired()
            return result.nextExpiry
        }.whenComplete { [self] result in
            switch result {
            case .success(let next):
                let fallback = Date().addingTimeInterval(Self.longestWait)
                schedule(at: min(next ?? fallback, fallback))
            case .failure(let error):
                logger.warning("expiry sweep failed", metadata: ["error": "\(error)"])
                schedule(at: Date().addingTimeInterval(60))
            }
            done.succeed(())
        }
        return done.futureResult
    }
}
