import Foundation
import LocketProtocol
import Testing

/// `list`, `status` and `audit`: the daemon's exact bytes, and read back.
@Suite("Answers: list, status, audit")
struct AnswerListingTests {
    @Test("list: items in order, each ns, key, version and times; unreadable only when some were")
    func list() {
        let items = [
            Answer.List.Item(ns: "app", key: "alice", version: 2, createdAt: fixedCreated, updatedAt: fixedUpdated, expiresAt: nil),
            Answer.List.Item(ns: "app", key: "b\"ob\n", version: 1, createdAt: fixedCreated, updatedAt: fixedCreated, expiresAt: fixedExpiry),
        ]
        expectRoundTrip(Answer.List(items: items),
            #"{"id":7,"ok":true,"items":[{"ns":"app","key":"alice","version":2,"created_at":"2026-11-22T22:10:00Z","updated_at":"2026-11-22T22:11:01Z","expires_at":null},{"ns":"app","key":"b\"ob\n","version":1,"created_at":"2026-11-22T22:10:00Z","updated_at":"2026-11-22T22:10:00Z","expires_at":"2026-11-22T23:10:00Z"}]}"#)
        expectRoundTrip(Answer.List(items: [], unreadable: 2), #"{"id":7,"ok":true,"items":[],"unreadable":2}"#)
        expectRoundTrip(Answer.List(items: []), id: nil, #"{"ok":true,"items":[]}"#)
    }

    @Test("list: an item without its names, or items that are not objects, are malformed")
    func listMalformed() {
        #expect(answerError(Answer.List.self, #"{"ok":true,"items":[{"key":"k","version":1}]}"#)
            == .malformed(#"a list item lacks string "ns""#))
        #expect(answerError(Answer.List.self, #"{"ok":true,"items":[1]}"#)
            == .malformed(#"answer member "items" holds something other than objects"#))
        #expect(answerError(Answer.List.self, #"{"ok":true}"#) == .malformed(#"answer lacks array "items""#))
    }

    @Test("status unlocked: no lock_reason, audit on with its dropped count")
    func statusUnlocked() {
        expectRoundTrip(Answer.Status(locked: false, keyStore: "secret-service", entries: 12, version: "0.9.0", uptimeSeconds: 3605,
                                      audit: true, auditDropped: 0),
            #"{"id":7,"ok":true,"locked":false,"key_store":"secret-service","entries":12,"version":"0.9.0","uptime_s":3605,"audit":true,"audit_dropped":0}"#)
    }

    @Test("status locked: lock_reason and key_store_notice after uptime_s; audit off has no audit_dropped")
    func statusLocked() {
        expectRoundTrip(Answer.Status(locked: true, keyStore: "file", entries: 0, version: "0.9.0", uptimeSeconds: 1,
                                      lockReason: "locked on request", keyStoreNotice: "the key is in a file"),
            #"{"id":7,"ok":true,"locked":true,"key_store":"file","entries":0,"version":"0.9.0","uptime_s":1,"lock_reason":"locked on request","key_store_notice":"the key is in a file","audit":false}"#)
    }

    @Test("status of an older daemon without audit reads as audit off")
    func statusWithoutAudit() throws {
        let status = try Answer.Status(line: Array(#"{"ok":true,"locked":false,"key_store":"file","entries":1,"version":"0.1.0","uptime_s":5}"#.utf8))
        #expect(status.audit == false)
        #expect(status.auditDropped == nil)
    }

    static let record = Answer.Audit.Record(timeMilliseconds: 1_795_385_400_123, op: "get", ns: "app", keyHash: "ab12cd34",
                                            outcome: "ok", exe: "/usr/bin/app", pid: 41, uid: 1000, unit: nil)

    @Test("audit: each record's members in order, null exe and unit written, optional members left out")
    func audit() {
        let dropped = Answer.Audit.Record(timeMilliseconds: 1_795_385_461_000, op: "dropped", outcome: "dropped",
                                          pid: 0, uid: 0, count: 5)
        let sandboxed = Answer.Audit.Record(timeMilliseconds: 1_795_385_400_999, op: "allow", ns: "app", outcome: "ok",
                                            exe: "/usr/bin/locket", exeDeleted: true, pid: 9, uid: 1000, unit: "app.service",
                                            flatpak: "org.example.App", snap: "snapname", label: "unconfined", target: "path /usr/bin/x")
        expectRoundTrip(Answer.Audit(items: [Self.record, dropped, sandboxed], damage: []),
            #"{"id":7,"ok":true,"items":[{"time":"2026-11-22T22:10:00Z","time_ms":1795385400123,"op":"get","ns":"app","key_hash":"ab12cd34","outcome":"ok","exe":"/usr/bin/app","pid":41,"uid":1000,"unit":null,"identity_at":"connect"},{"time":"2026-11-22T22:11:01Z","time_ms":1795385461000,"op":"dropped","outcome":"dropped","exe":null,"pid":0,"uid":0,"unit":null,"count":5,"identity_at":"connect"},{"time":"2026-11-22T22:10:00Z","time_ms":1795385400999,"op":"allow","ns":"app","outcome":"ok","exe":"/usr/bin/locket","exe_deleted":true,"pid":9,"uid":1000,"unit":"app.service","flatpak":"org.example.App","snap":"snapname","label":"unconfined","target":"path /usr/bin/x","identity_at":"connect"}],"damage":[]}"#)
    }

    @Test("audit: damage lines, withheld when some were, rotated as a nested object")
    func auditDamage() {
        expectRoundTrip(Answer.Audit(items: [], damage: ["segment 2: record 7 does not authenticate", "a \"torn\" tail"], withheld: 3,
                                     rotated: .init(records: 120, refused: 4, last: fixedUpdated)),
            #"{"id":7,"ok":true,"items":[],"damage":["segment 2: record 7 does not authenticate","a \"torn\" tail"],"withheld":3,"rotated":{"records":120,"refused":4,"last":"2026-11-22T22:11:01Z"}}"#)
        expectRoundTrip(Answer.Audit(items: [], rotated: .init(records: 1, refused: 0, last: nil)),
            #"{"id":7,"ok":true,"items":[],"damage":[],"rotated":{"records":1,"refused":0,"last":null}}"#)
    }

    @Test("a record's time is its milliseconds rounded down to the second, before 1970 too")
    func recordTime() {
        #expect(Self.record.time == fixedCreated)
        let early = Answer.Audit.Record(timeMilliseconds: -1500, op: "get", outcome: "ok", pid: 1, uid: 1)
        #expect(early.time == Date(timeIntervalSince1970: -2))
    }

    @Test("audit: a record without op is malformed; damage that is not strings is malformed")
    func auditMalformed() {
        #expect(answerError(Answer.Audit.self, #"{"ok":true,"items":[{"time_ms":1,"outcome":"ok","pid":1,"uid":1}]}"#)
            == .malformed(#"an audit record lacks string "op""#))
        #expect(answerError(Answer.Audit.self, #"{"ok":true,"items":[],"damage":[1]}"#)
            == .malformed(#"answer member "damage" holds something other than strings"#))
    }
}
