import Foundation
import Testing
@testable import LocketAudit
import LocketCrypto

/// How the writer seals records in a batch: every record under a nonce of its
/// own (drawn for the whole batch at once), and the CPU given away every few steps.
@Suite("Audit sealing")
struct AuditSealingTests {
    @Test("every record's nonce is fresh, within one large batch and across batches, and every record reads back")
    func noncesAreFresh() throws {
        let harness = try AuditHarness("nonces")
        let log = harness.makeLog()
        for index in 0..<1500 { log.record(AuditHarness.entry(index)) } // one burst: batches of many
        log.flush()
        for index in 1500..<1510 { // one record per batch
            log.record(AuditHarness.entry(index))
            log.flush()
        }
        log.stop()
        var nonces = Set<[UInt8]>()
        var records = 0
        for (_, bytes) in AuditLog.readFiles(harness.path) {
            for frame in AuditFormat.frames(bytes).frames where frame.type == AuditFormat.recordType {
                let body = Array(frame.body)
                nonces.insert(Array(body[8..<(8 + AEAD.nonceBytes)]))
                records += 1
            }
        }
        #expect(records == 1510)
        #expect(nonces.count == records)
        let readout = harness.readStored()
        #expect(readout.damage.isEmpty)
        #expect(readout.items.count == 1510)
    }

    @Test("pacing yields after every `every` steps and not otherwise")
    func pacingYields() {
        var yields = 0
        var pacing = WriterPacing(every: 6, waiting: { 0 }) { yields += 1 }
        for _ in 0..<5 { pacing.stepDone() }
        #expect(yields == 0)
        pacing.stepDone()
        #expect(yields == 1)
        for _ in 0..<7 { pacing.stepDone() }
        #expect(yields == 2)
        #expect(pacing.steps == 13)
        var never = 0
        var one = WriterPacing(every: 0, waiting: { 0 }) { never += 1 } // clamped to 1
        one.stepDone()
        #expect(never == 1)
    }

    @Test("a writer with a long queue behind its batch works straight through; it yields again once the queue is short")
    func behindWriterDoesNotYield() {
        var yields = 0
        var queued = WriterPacing.shortQueue
        var pacing = WriterPacing(every: 6, waiting: { queued }) { yields += 1 }
        for _ in 0..<60 { pacing.stepDone() }
        #expect(yields == 0)
        queued = WriterPacing.shortQueue - 1
        for _ in 0..<12 { pacing.stepDone() }
        #expect(yields == 2)
        queued = 10_000
        for _ in 0..<12 { pacing.stepDone() }
        #expect(yields == 2)
    }
}
