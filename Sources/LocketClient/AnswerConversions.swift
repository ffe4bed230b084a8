#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol

// The client's public result types, made from the typed answers of LocketProtocol.

extension Entry {
    init(_ answer: Answer.Entry) {
        self.init(valueJSON: answer.value, version: answer.version, createdAt: answer.createdAt,
                  updatedAt: answer.updatedAt, expiresAt: answer.expiresAt)
    }
}

extension PutResult {
    init(_ answer: Answer.Put) {
        self.init(created: answer.created, version: answer.version, expiresAt: answer.expiresAt)
    }
}

extension EntryInfo {
    init(_ item: Answer.List.Item) {
        self.init(ns: item.ns, key: item.key, version: item.version, createdAt: item.createdAt,
                  updatedAt: item.updatedAt, expiresAt: item.expiresAt)
    }
}

extension DaemonStatus {
    init(_ answer: Answer.Status) {
        self.init(locked: answer.locked, keyStore: answer.keyStore, entries: answer.entries, version: answer.version,
                  uptimeSeconds: answer.uptimeSeconds, lockReason: answer.lockReason, keyStoreNotice: answer.keyStoreNotice,
                  audit: answer.audit, auditDropped: answer.auditDropped)
    }
}

extension AuditReport {
    init(_ answer: Answer.Audit) {
        self.init(items: answer.items.map(AuditRecord.init), damage: answer.damage, withheld: answer.withheld,
                  rotated: answer.rotated.map { RotatedAway(records: $0.records, refused: $0.refused, last: $0.last) })
    }
}

extension AuditRecord {
    init(_ record: Answer.Audit.Record) {
        self.init(time: record.time, timeMilliseconds: record.timeMilliseconds, op: record.op, ns: record.ns,
                  keyHash: record.keyHash, outcome: record.outcome, exe: record.exe, exeDeleted: record.exeDeleted,
                  pid: record.pid, uid: record.uid, unit: record.unit, flatpak: record.flatpak, snap: record.snap,
                  label: record.label, target: record.target, count: record.count)
    }
}

extension DaemonHello {
    init(_ answer: Answer.Hello) {
        self.init(protocolVersion: answer.protocolVersion, server: answer.server, ops: answer.ops)
    }
}

extension RuleProgram {
    init(_ program: Answer.Program) {
        self.init(path: program.path ?? "", sha256: program.sha256, flatpak: program.flatpak, snap: program.snap,
                  label: program.label)
    }
}
