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
        // One entry first, so the writer has opened its file and waits in its loop; then
        // its sync of that entry (up to 1 s later, under the file lock, and it stores the
        // head): had the test held the file lock first, the writer would wait in that sync
        // with the 200 entries below still queued, not with a batch in hand.
        log.record(AuditHarness.entry(0))
        log.flush()
        #expect(log.isCaughtUp)
        #expect(eventually(timeout: 30) { harness.head != nil }, "the writer never synced its first entry")
        // Holding the file lock stops the writer after it has taken its batch off the queue.
        log.io.lock()
        // One entry: the writer takes it as a batch of its own (with more, a slow machine
        // could split them, leaving some queued behind the blocked batch).
        log.record(AuditHarness.entry(1))
        #expect(!log.isCaughtUp, "an entry queued, not written")
        #expect(eventually(timeout: 30) { log.waitingCount == 0 }, "the writer never took its batch")
        #expect(!log.isCaughtUp, "a batch taken off the queue but not written counted as done")
        for index in 2...200 { log.record(AuditHarness.entry(index)) }
        #expect(!log.isCaughtUp)
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
