// The daemon's memory trim waits for the audit writer to finish its queue
// (`AuditLog.isCaughtUp`): a batch taken but not yet written counts as not done.
import Foundation
@testable import LocketAudit
import LocketTestSupport
import Testing

@Suite("Audit writer caught up")
struct AuditCaughtUpTests {
    @Test("caught up at start; not while a batch is in the writer's hands; caught up again once it is written")
    func caughtUp() throws {
        let harness = try AuditHarness("caught-up")
        let log = harness.makeLog()
        defer { log.stop() }
        #expect(log.isCaughtUp)
        // One entry first, so the writer has opened its file and waits in its loop.
        log.record(AuditHarness.entry(0))
        log.flush()
        #expect(log.isCaughtUp)
        // Holding the file lock stops the writer after it has taken its batch off the queue.
        log.io.lock()
        for index in 1...200 { log.record(AuditHarness.entry(index)) }
        #expect(!log.isCaughtUp, "200 entries queued or in hand, none of them written")
        // Give the writer time to take the batch (the queue empties, the batch is still unwritten).
        #expect(eventually(timeout: 30) { log.waitingCount == 0 })
        #expect(!log.isCaughtUp, "a batch taken off the queue but not written counted as done")
        log.io.unlock()
        #expect(eventually(timeout: 30) { log.isCaughtUp })
        log.flush()
        #expect(harness.readStoredCount() == 201)
    }
}

extension AuditHarness {
    /// How many records the files hold now.
    func readStoredCount() -> Int { readStored().items.count }
}
