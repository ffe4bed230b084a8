// A flood that fills the audit writer's queue cannot make entries vanish
// silently: whatever the writer refuses is written as `dropped` records whose
// counts, with the entries kept, add up to everything that was recorded.
import Foundation
import LocketAudit
import Testing

@Suite("Audit flood")
struct AuditFloodTests {
    @Test("entries refused by a full queue are counted in dropped records: kept + counted = recorded")
    func droppedAreRecorded() throws {
        let harness = try AuditHarness("flood")
        let log = harness.makeLog(queueCapacity: 1)
        let total = 2000
        for index in 0..<total {
            log.record(AuditEntry(time: Int64(index), op: "get", ns: "flood", key: "k\(index)", outcome: "forbidden",
                                  exe: "/usr/bin/flooder", exeDeleted: false, pid: 1, uid: 0, unit: nil))
        }
        let snapshot = log.snapshot()
        let readout = snapshot.read(keys: harness.keys, query: AuditQuery(limit: 100_000))
        log.stop()
        #expect(readout.damage.isEmpty, "\(readout.damage)")
        let kept = readout.items.filter { $0.op == "get" }.count
        let dropped = readout.items.filter { $0.op == "dropped" }
        let counted = dropped.reduce(0) { $0 + ($1.count ?? 0) }
        print("AuditFloodTests: \(kept) kept, \(counted) refused by the full queue in \(dropped.count) dropped record(s)")
        #expect(kept + counted == total, "kept \(kept) + counted \(counted)")
        #expect(counted == log.dropped, "every refused entry is in a dropped record")
        #expect(dropped.allSatisfy { $0.outcome == "dropped" && ($0.count ?? 0) > 0 })
    }
}
