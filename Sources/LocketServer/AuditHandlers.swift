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
import Logging
import NIOCore

/// The access audit's view from the daemon: what a ruled-out reader still
/// sees, the journald line, and the `audit` op that reads the log back
/// (which ops are audited is in `OpTable`; the record is made by `settle`).
extension Dispatcher {
    /// Whether a reader kept out of `entry`'s namespace by a rule still sees it:
    /// a refused attempt (`forbidden`) and an administration op show to every
    /// caller; an access that was served (or failed for another reason) shows
    /// only to callers the namespace's rule allows. So `locket audit` shows
    /// who tried a ruled namespace without any rule having to admit `locket`
    /// to its values.
    static func isVisibleDespiteRule(_ entry: AuditEntry) -> Bool {
        switch entry.op {
        case "get", "put", "delete", "list", "watch", "lease", "release", "lease_end": entry.outcome == ErrorCode.forbidden.rawValue
        default: true
        }
    }

    /// The one-line summary per access, logged from the audit writer's thread
    /// (never the event loop): no namespace, key name or value, only the first
    /// 8 hex digits of the key hash. At most `perSecond` lines a second; past
    /// it one line says how many were left out (the audit log keeps them all).
    /// Without the cap a busy client would write thousands of lines a second,
    /// and journald's own rate limit would then drop the daemon's warnings too.
    static func accessLine(_ logger: Logger, perSecond: Int) -> @Sendable (AuditEntry) -> Void {
        let limiter = AccessLineLimiter(perSecond: perSecond)
        return { entry in
            guard logger.logLevel <= .info else { return }
            let (admit, suppressed) = limiter.admit(second: entry.time / 1000)
            if suppressed > 0 {
                logger.info("access lines left out (rate limit; the audit log has every access)",
                            metadata: ["count": "\(suppressed)", "limit_per_s": "\(perSecond)"])
            }
            guard admit else { return }
            var metadata: Logger.Metadata = [
                "op": "\(entry.op)", "outcome": "\(entry.outcome)",
                "exe": "\(entry.exe ?? "?")\(entry.exeDeleted == true ? " (deleted)" : "")",
                "pid": "\(entry.pid)", "unit": "\(entry.unit ?? "-")",
            ]
            if let hash = entry.keyHash { metadata["key_hash"] = "\(hash.prefix(8))" }
            logger.info("access", metadata: metadata)
        }
    }

    /// `audit`, leaving out what the access rules hide from the caller (refused
    /// attempts and administration ops still show: `isVisibleDespiteRule`).
    func readAudit(_ request: Request, _ asker: Asker) -> Action {
        guard case .audit(let query) = request.body else { return Self.mismatch(request) }
        let hidden = asker.hidden
        return .offLoop { [vault, audit] in
            Outcome { () throws(StoreError) in
                let snapshot = audit?.snapshot() ?? vault.auditSnapshotWithoutWriter()
                var readout = try vault.readAudit(snapshot, query: AuditQuery(
                    ns: query.ns, since: query.since, limit: query.limit ?? ProtocolLimits.defaultAuditLimit))
                let before = readout.items.count
                if !hidden.isEmpty {
                    readout.items.removeAll { entry in
                        (entry.ns.map(hidden.contains) ?? false) && !Self.isVisibleDespiteRule(entry)
                    }
                }
                return .audit(readout, withheld: before - readout.items.count)
            }
        }
    }
}

/// Counts access lines per second. Used only on the audit writer's thread.
final class AccessLineLimiter: @unchecked Sendable {
    private let perSecond: Int
    private var second: Int64 = 0
    private var count = 0
    private var suppressed = 0

    init(perSecond: Int) {
        self.perSecond = perSecond
    }

    /// Whether a line for an access in `second` may be logged, and how many were
    /// left out in the seconds before (to report once, when a new second starts).
    func admit(second now: Int64) -> (Bool, Int) {
        var report = 0
        if now != second {
            second = now
            count = 0
            report = suppressed
            suppressed = 0
        }
        count += 1
        if count > perSecond {
            suppressed += 1
            return (false, report)
        }
        return (true, report)
    }
}
