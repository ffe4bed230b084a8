import Foundation
import LocketAudit
import LocketProtocol
import LocketStore
import Logging
import NIOCore

/// The access audit: which ops are logged, the outcome of an answer, the
/// journald line, and the `audit` op that reads the log back.
extension Dispatcher {
    /// The data ops and the administration ops (`lock`, `unlock`, `rotate` and
    /// the rule ops): each one is audited, whatever its answer; every failed
    /// `unlock` (a wrong passphrase) is a record of its own.
    static func isAudited(_ op: Op) -> Bool {
        switch op {
        case .get, .put, .delete, .list, .allow, .deny, .rules, .lock, .unlock, .rotate, .lease, .release: true
        case .hello, .ping, .status, .audit, .watch: false
        }
    }

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

    /// `ok`, or the error code of a response line built by `Response`. Reads a
    /// fixed position after the echoed id (`{"id":ID,"ok":…`), so it costs
    /// nothing for a large value.
    static func outcome(of line: [UInt8], id: [UInt8]?) -> String {
        let okAt = 1 + (id.map { 5 + $0.count + 1 } ?? 0) // {"id":ID,
        let success = #""ok":true"#.utf8
        let failure = #""ok":false,"error":{"code":""#.utf8
        if line.count >= okAt + success.count, line[okAt..<(okAt + success.count)].elementsEqual(success) { return "ok" }
        let codeAt = okAt + failure.count
        guard line.count > codeAt, line[okAt..<codeAt].elementsEqual(failure),
              let end = line[codeAt...].firstIndex(of: UInt8(ascii: "\"")) else { return ErrorCode.internal.rawValue }
        return String(decoding: line[codeAt..<end], as: UTF8.self)
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

    /// `audit`; `hidden` namespaces (ruled, and the caller is not allowed) are left out.
    func readAudit(_ request: Request, hiding hidden: Set<String> = [], on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        offLoop(request, on: loop) { [vault, audit] () throws(StoreError) in
            let snapshot = audit?.snapshot() ?? vault.auditSnapshotWithoutWriter()
            let query = AuditQuery(ns: request.ns, since: request.since, limit: request.limit ?? Request.defaultAuditLimit)
            var readout = try vault.readAudit(snapshot, query: query)
            var withheld = 0
            if !hidden.isEmpty {
                let before = readout.items.count
                readout.items.removeAll { entry in
                    (entry.ns.map(hidden.contains) ?? false) && !Self.isVisibleDespiteRule(entry)
                }
                withheld = before - readout.items.count
            }
            var response = Response.success(id: request.idJSON)
            response.array("items", readout.items) { entry, out in
                var element = Response.nested()
                element.timestamp("time", entry.date)
                element.int("time_ms", Int(entry.time))
                element.string("op", entry.op)
                if let ns = entry.ns { element.string("ns", ns) }
                if let hash = entry.keyHash { element.string("key_hash", hash) }
                element.string("outcome", entry.outcome)
                if let exe = entry.exe { element.string("exe", exe) } else { element.raw("exe", Array("null".utf8)) }
                if entry.exeDeleted == true { element.bool("exe_deleted", true) }
                element.int("pid", Int(entry.pid))
                element.int("uid", Int(entry.uid))
                if let unit = entry.unit { element.string("unit", unit) } else { element.raw("unit", Array("null".utf8)) }
                if let flatpak = entry.flatpak { element.string("flatpak", flatpak) }
                if let snap = entry.snap { element.string("snap", snap) }
                if let label = entry.label { element.string("label", label) }
                if let target = entry.target { element.string("target", target) }
                if let count = entry.count { element.int("count", count) }
                element.string("identity_at", "connect")
                out.append(contentsOf: element.object)
            }
            response.array("damage", readout.damage) { line, out in Escaping.appendString(line, to: &out) }
            if withheld > 0 { response.int("withheld", withheld) }
            if let rotated = readout.rotated {
                var element = Response.nested()
                element.int("records", rotated.records)
                element.int("refused", rotated.refused)
                element.timestamp("last", rotated.last)
                response.raw("rotated", element.object)
            }
            return response
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
