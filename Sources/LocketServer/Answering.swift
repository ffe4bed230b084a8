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

/// The wire answer of each outcome, through the protocol's typed answers
/// (`LocketProtocol/Answers`): the daemon writes with the same types the
/// Swift client and the CLI read with.
enum Answering {
    /// The whole answer line of `outcome` to the request with id `id`.
    static func line(_ outcome: Outcome, id: [UInt8]?) -> [UInt8] {
        switch outcome {
        case .failed(let error): Response.failure(id: id, error).bytes
        case .hello(let server): Answer.Hello(protocolVersion: 1, server: server, ops: Op.allCases.map(\.rawValue)).line(id: id)
        case .pong, .lockedOnRequest, .unlocked: Answer.Done().line(id: id)
        case .put(let put): Answer.Put(created: put.created, version: put.version, expiresAt: put.expiresAt).line(id: id)
        case .entry(let entry): entryLine(entry, id: id)
        case .deleted(let deleted): Answer.Delete(deleted: deleted).line(id: id)
        case .listing(let listing):
            Answer.List(items: listing.items.map {
                .init(ns: $0.ns, key: $0.key, version: $0.version, createdAt: $0.createdAt, updatedAt: $0.updatedAt, expiresAt: $0.expiresAt)
            }, unreadable: listing.unreadable).line(id: id)
        case .status(let status): status.line(id: id)
        case .rotated(let count): Answer.Rotate(rewrapped: count).line(id: id)
        case .audit(let readout, let withheld):
            Answer.Audit(items: readout.items.map(record), damage: readout.damage, withheld: withheld,
                         rotated: readout.rotated.map { .init(records: $0.records, refused: $0.refused, last: $0.last) }).line(id: id)
        case .allowed(let created, let sha256, let programs):
            Answer.Allow(created: created, sha256: sha256, programs: programs.map(program)).line(id: id)
        case .denied(let removed, let programs):
            Answer.Deny(removed: removed, ruleLeft: !programs.isEmpty, programs: programs.map(program)).line(id: id)
        case .rules(let rules):
            Answer.Rules(items: rules.map { .init(ns: $0.ns, programs: $0.programs.map(program)) }).line(id: id)
        case .lease(let decided): leaseLine(decided, id: id)
        case .released(let released): Answer.Release(released: released).line(id: id)
        case .watching: Answer.Watching().line(id: id)
        }
    }

    /// A `get` answer. The value's own storage is zeroed once copied into the answer:
    /// `secureZero(&copy)` on a copy would zero a fresh copy-on-write buffer and leave
    /// the caller's in place.
    private static func entryLine(_ entry: Entry, id: [UInt8]?) -> [UInt8] {
        defer { wipeStorage(of: entry.value) }
        return answer(entry).line(id: id)
    }

    /// The answer to a decided `lease`. Its entry is not wiped here: the lease
    /// table hands one entry to every waiter it answers.
    private static func leaseLine(_ decided: LeaseAnswer, id: [UInt8]?) -> [UInt8] {
        switch decided {
        case .granted(let token, let expiresAt, let duration, let entry):
            return Answer.Lease.granted(token: token, expiresAt: expiresAt, duration: duration, entry: entry.map(answer)).line(id: id)
        case .shared(let entry):
            return Answer.Lease.shared(answer(entry)).line(id: id)
        case .failed(let error):
            return Response.failure(id: id, error).bytes
        case .retry:
            return Response.failure(id: id, ProtocolError(.internal, "the entry could not be read for the lease; try again")).bytes
        }
    }

    private static func answer(_ entry: Entry) -> Answer.Entry {
        Answer.Entry(value: entry.value, version: entry.version, createdAt: entry.createdAt, updatedAt: entry.updatedAt,
                     expiresAt: entry.expiresAt)
    }

    private static func program(_ program: AllowedProgram) -> Answer.Program {
        Answer.Program(path: program.path, flatpak: program.flatpak, snap: program.snap, label: program.label, sha256: program.sha256)
    }

    private static func record(_ entry: AuditEntry) -> Answer.Audit.Record {
        Answer.Audit.Record(
            timeMilliseconds: entry.time, op: entry.op, ns: entry.ns, keyHash: entry.keyHash, outcome: entry.outcome,
            exe: entry.exe, exeDeleted: entry.exeDeleted == true, pid: Int(entry.pid), uid: Int(entry.uid), unit: entry.unit,
            flatpak: entry.flatpak, snap: entry.snap, label: entry.label, target: entry.target, count: entry.count)
    }
}
