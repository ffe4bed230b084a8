import LocketAudit
import LocketProtocol
import LocketStore

extension Dispatcher {
    /// Turns what `request` came to into its wire answer, and records its
    /// consequences in one place: the audit record (audited ops, whatever the
    /// outcome), the watch event and the expiry of a durable write, the lease
    /// table's view of a deleted entry or a locked vault.
    func settle(_ request: Request, _ outcome: Outcome, _ asker: Asker, startedAt time: Int64) -> [UInt8] {
        switch outcome {
        case .put(let put):
            if case .put(let body) = request.body {
                if let expiresAt = put.expiresAt { expiry.noteExpiry(expiresAt) }
                watchHub.noteChanged(ns: body.ns, key: body.key, version: put.version, expiresAt: put.expiresAt)
            }
        case .deleted(true):
            if case .delete(let body) = request.body {
                watchHub.noteDeleted(ns: body.ns, key: body.key)
                leases.noteDeleted(ns: body.ns, key: body.key)
            }
        case .lockedOnRequest:
            watchHub.vaultStateMayHaveChanged()
            leases.vaultLocked()
        case .unlocked:
            watchHub.vaultStateMayHaveChanged()
        default:
            break
        }
        if let audit, OpTable.row(request.op).audited {
            audit.record(auditEntry(request, outcome, caller: asker.caller, time: time))
        }
        return Answering.line(outcome, id: request.idJSON)
    }

    /// The audit record of `request`, started at `time` (ms), that came to `outcome`.
    func auditEntry(_ request: Request, _ outcome: Outcome, caller: CallerIdentity, time: Int64) -> AuditEntry {
        var entry = AuditEntry(
            time: time, op: request.op.rawValue, ns: request.ns, key: request.key,
            outcome: outcome.auditOutcome,
            exe: caller.exe, exeDeleted: caller.exeDeleted, pid: caller.pid, uid: caller.uid, unit: caller.unit)
        if caller.flatpak != nil || caller.snap != nil || caller.label != nil {
            (entry.flatpak, entry.snap, entry.label) = (caller.flatpak, caller.snap, caller.label)
        }
        switch request.body {
        case .allow(let allow):
            switch allow.admitted {
            case .program(let path, _): entry.target = "path \(path)"
            case .sandbox(let subject): entry.target = subject.description
            }
        case .deny(let deny):
            switch deny.denied {
            case .path(let path): entry.target = "path \(path)"
            case .sandbox(let subject): entry.target = subject.description
            case nil: break
            }
        default: break
        }
        return entry
    }
}
