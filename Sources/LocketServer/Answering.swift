import Foundation
import LocketAudit
import LocketCrypto
import LocketProtocol
import LocketStore

/// The wire answer of each outcome: the one place that says which members an
/// answer has, in which order (PROTOCOL.md §5).
enum Answering {
    /// The whole answer line of `outcome` to the request with id `id`.
    static func line(_ outcome: Outcome, id: [UInt8]?) -> [UInt8] {
        if case .failed(let error) = outcome { return Response.failure(id: id, error).bytes }
        var response = Response.success(id: id)
        switch outcome {
        case .failed, .pong, .lockedOnRequest, .unlocked:
            break
        case .hello(let server):
            response.int("protocol", 1)
            response.string("server", server)
            response.array("ops", Op.allCases.map(\.rawValue)) { name, out in Escaping.appendString(name, to: &out) }
        case .put(let put):
            response.bool("created", put.created)
            response.int("version", put.version)
            response.timestamp("expires_at", put.expiresAt)
        case .entry(let entry):
            // The value's own storage is zeroed once copied into the answer: `secureZero(&copy)`
            // on a copy would zero a fresh copy-on-write buffer and leave the caller's in place.
            defer { wipeStorage(of: entry.value) }
            appendEntry(entry, to: &response)
        case .deleted(let deleted):
            response.bool("deleted", deleted)
        case .listing(let listing):
            response.array("items", listing.items) { item, out in
                var element = Response.nested()
                element.string("ns", item.ns)
                element.string("key", item.key)
                element.int("version", item.version)
                element.timestamp("created_at", item.createdAt)
                element.timestamp("updated_at", item.updatedAt)
                element.timestamp("expires_at", item.expiresAt)
                out.append(contentsOf: element.object)
            }
            if listing.unreadable > 0 { response.int("unreadable", listing.unreadable) }
        case .status(let status):
            response.bool("locked", status.locked)
            response.string("key_store", status.keyStore)
            response.int("entries", status.entries)
            response.string("version", status.version)
            response.int("uptime_s", status.uptimeSeconds)
            if let reason = status.lockReason { response.string("lock_reason", reason) }
            if let notice = status.keyStoreNotice { response.string("key_store_notice", notice) }
            response.bool("audit", status.audit)
            if let dropped = status.auditDropped { response.int("audit_dropped", dropped) }
        case .rotated(let count):
            response.int("rewrapped", count)
        case .audit(let readout, let withheld):
            AuditAnswer.append(readout, withheld: withheld, to: &response)
        case .allowed(let created, let sha256, let programs):
            response.bool("created", created)
            if let sha256 { response.string("sha256", sha256) } else { response.raw("sha256", null) }
            appendPrograms(programs, to: &response)
        case .denied(let removed, let programs):
            response.int("removed", removed)
            response.bool("rule_left", !programs.isEmpty)
            appendPrograms(programs, to: &response)
        case .rules(let rules):
            response.array("items", rules) { rule, out in
                var element = Response.nested()
                element.string("ns", rule.ns)
                appendPrograms(rule.programs, to: &element)
                out.append(contentsOf: element.object)
            }
        case .lease(let answer):
            return leaseLine(answer, id: id)
        case .released(let released):
            response.bool("released", released)
        case .watching:
            response.bool("watching", true)
        }
        return response.finished()
    }

    private static let null = Array("null".utf8)

    /// The answer to a decided `lease`.
    private static func leaseLine(_ answer: LeaseAnswer, id: [UInt8]?) -> [UInt8] {
        var response = Response.success(id: id)
        switch answer {
        case .granted(let token, let expiresAt, let duration, let entry):
            response.bool("granted", true)
            response.string("lease", token)
            response.timestamp("expires_at", expiresAt)
            response.int("duration", duration)
            if let entry {
                var nested = Response.nested()
                appendEntry(entry, to: &nested)
                response.raw("entry", nested.object)
            } else {
                response.raw("entry", null)
            }
        case .shared(let entry):
            response.bool("granted", false)
            appendEntry(entry, to: &response)
        case .failed(let error):
            return Response.failure(id: id, error).bytes
        case .retry:
            return Response.failure(id: id, ProtocolError(.internal, "the entry could not be read for the lease; try again")).bytes
        }
        return response.finished()
    }

    /// The members of a `get` answer: value, version, created_at, updated_at, expires_at.
    static func appendEntry(_ entry: Entry, to response: inout Response) {
        response.raw("value", entry.value)
        response.int("version", entry.version)
        response.timestamp("created_at", entry.createdAt)
        response.timestamp("updated_at", entry.updatedAt)
        response.timestamp("expires_at", entry.expiresAt)
    }

    /// Each program as `{path, sha256}`; one named by a sandbox identity has
    /// `path` null and its `flatpak`, `snap` or `label`.
    static func appendPrograms(_ programs: [AllowedProgram], to response: inout Response) {
        response.array("programs", programs) { program, out in
            var element = Response.nested()
            if let path = program.path { element.string("path", path) } else { element.raw("path", null) }
            if let flatpak = program.flatpak { element.string("flatpak", flatpak) }
            if let snap = program.snap { element.string("snap", snap) }
            if let label = program.label { element.string("label", label) }
            if let sha256 = program.sha256 { element.string("sha256", sha256) } else { element.raw("sha256", null) }
            out.append(contentsOf: element.object)
        }
    }
}

/// The members of an `audit` answer.
enum AuditAnswer {
    static func append(_ readout: AuditReadout, withheld: Int, to response: inout Response) {
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
    }
}
