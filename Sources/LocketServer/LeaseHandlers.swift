#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketAudit
import LocketProtocol
import LocketStore
import NIOCore

/// The lease ops (`lease`, `release`), which need the requesting connection:
/// it owns the lease (PROTOCOL.md, "Refresh leases"). Writes under a lease are
/// fenced in `put`/`delete` (DataHandlers.swift) and end the lease in `Run.swift`.
extension Dispatcher {
    /// The lease table of this daemon, reading entries without waiting for the
    /// writer, and reporting grants and ends to the audit log and to watchers.
    static func makeLeaseTable(vault: Vault, maxDuration: Int, audit: AuditLog?, watchHub: WatchHub) -> LeaseTable {
        LeaseTable(maxDuration: maxDuration, read: { ns, key throws(StoreError) in
            try vault.get(ns: ns, key: key, mayWait: false)
        }, report: { news in
            switch news {
            case .granted(let ns, let key, let expiresAt, _):
                watchHub.noteLease(.leased(ns: ns, key: key, expiresAt: expiresAt))
            case .ended(let ns, let key, let how, let caller):
                watchHub.noteLease(.leaseEnded(ns: ns, key: key, outcome: how.rawValue))
                audit?.record(AuditEntry(
                    time: nowMilliseconds(), op: "lease_end", ns: ns, key: key, outcome: how.rawValue,
                    exe: caller.exe, exeDeleted: caller.exeDeleted, pid: caller.pid, uid: caller.uid, unit: caller.unit))
            }
        })
    }

    /// `lease`: answered when the table decides, maybe after another holder's lease ends.
    func lease(_ request: Request, _ asker: Asker) -> Action {
        guard case .lease(let lease) = request.body else { return Self.mismatch(request) }
        return .lease(lease)
    }

    /// Waits in the lease table for `lease`, then settles the answer. A decision
    /// the table could not make without waiting for the writer (a rotation was
    /// committing) reads once more off the loop (that read waits) and asks again.
    func lease(_ lease: Request.Lease, _ request: Request, _ asker: Asker, startedAt time: Int64,
               on loop: EventLoop, attempt: Int = 0) -> EventLoopFuture<[UInt8]> {
        guard let channel = asker.channel else {
            return loop.makeSucceededFuture(settle(request, .failed(ProtocolError(.internal, "lease without a connection")), asker, startedAt: time))
        }
        let promise = loop.makePromise(of: [UInt8].self)
        let waiter = LeaseWaiter(channel: channel, caller: asker.caller, staleVersion: lease.staleVersion,
                                 duration: lease.duration ?? ProtocolLimits.defaultLeaseDuration, loop: loop) { [self] answer in
            guard case .retry = answer, attempt < 3 else {
                promise.succeed(settle(request, .lease(answer), asker, startedAt: time))
                return
            }
            pool.runIfActive(eventLoop: loop) { [vault] in _ = try? vault.get(ns: lease.ns, key: lease.key) }
                .flatMap { self.lease(lease, request, asker, startedAt: time, on: loop, attempt: attempt + 1) }
                .recover { [self] _ in settle(request, .failed(Self.shuttingDown), asker, startedAt: time) }
                .cascade(to: promise)
        }
        leases.request(ns: lease.ns, key: lease.key, waiter)
        return promise.futureResult
    }

    /// `release`: ends the lease if this connection holds it.
    func release(_ request: Request, _ asker: Asker) -> Action {
        guard case .release(let release) = request.body else { return Self.mismatch(request) }
        guard let channel = asker.channel else { return .answer(.released(false)) }
        return .answer(.released(leases.release(ns: release.ns, key: release.key, token: release.lease, channel: channel)))
    }
}
