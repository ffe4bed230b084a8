// Issue 18: a read session shares one read transaction between many point
// reads, and still sees every write acknowledged before each read (the
// writer's commit generation), on a real vault on disk.
import Foundation
import Synchronization
@testable import LocketStore
import LocketTestSupport
import Testing

@Suite("Read sessions")
struct ReadSessionTests {
    @Test("reads with no commit between them share one transaction; after end() the next read begins another")
    func readsShareOneTransaction() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            for index in 0..<5 { _ = try vault.put(ns: "app", key: "k\(index)", value: bytes("\(index)")) }
            let session = vault.makeReadSession()
            defer { session.close() }
            for round in 0..<100 { #expect(try session.get(ns: "app", key: "k\(round % 5)").value == bytes("\(round % 5)")) }
            #expect(session.inTransaction)
            #expect(session.transactionsBegun == 1)
            session.end()
            #expect(!session.inTransaction)
            #expect(throws: StoreError.notFound) { try session.get(ns: "app", key: "missing") }
            #expect(session.transactionsBegun == 2)
        }
    }

    @Test("a read alone opens no transaction and holds no snapshot (a later put is seen); inside an open one it uses it")
    func aloneReadsOpenNoTransaction() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "k", value: bytes("1"))
            // Without the row cache: a repeated read would not touch SQLite.
            let session = vault.makeReadSession(cache: .none)
            defer { session.close() }
            #expect(try session.get(ns: "app", key: "k", alone: true).value == bytes("1"))
            #expect(!session.inTransaction)
            #expect(session.transactionsBegun == 0)
            _ = try vault.put(ns: "app", key: "k", value: bytes("2"))
            #expect(try session.get(ns: "app", key: "k", alone: true).value == bytes("2"))
            #expect(!session.inTransaction)
            // A transaction already open: the read alone joins it.
            #expect(try session.get(ns: "app", key: "k").value == bytes("2"))
            #expect(try session.get(ns: "app", key: "k", alone: true).value == bytes("2"))
            #expect(session.inTransaction && session.transactionsBegun == 1)
            #expect(session.reads == 4)
        }
    }

    @Test("a put acknowledged while the session's transaction is open is seen by its next read (read-your-writes)")
    func putBetweenReadsIsSeen() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "k", value: bytes(#""old""#))
            let session = vault.makeReadSession()
            defer { session.close() }
            #expect(try session.get(ns: "app", key: "k").value == bytes(#""old""#))
            #expect(session.inTransaction)
            for round in 1...20 {
                // Acknowledged (durable) before the next read starts; the transaction was not ended.
                _ = try vault.put(ns: "app", key: "k", value: bytes("\(round)"))
                let entry = try session.get(ns: "app", key: "k")
                #expect(entry.value == bytes("\(round)") && entry.version == round + 1, "round \(round): a stale snapshot")
            }
            // Each commit made the next read begin a new transaction, and only that.
            #expect(session.transactionsBegun == 21)
        }
    }

    @Test("a delete by another thread between two reads of one transaction: the second read finds nothing")
    func deleteBetweenReadsIsSeen() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "k", value: bytes("1"))
            let session = vault.makeReadSession()
            defer { session.close() }
            #expect(try session.get(ns: "app", key: "k").value == bytes("1"))
            let deleted = DispatchSemaphore(value: 0)
            Thread { _ = try? vault.delete(ns: "app", key: "k"); deleted.signal() }.start()
            #expect(deleted.wait(timeout: .now() + 60) == .success)
            #expect(throws: StoreError.notFound) { try session.get(ns: "app", key: "k") }
        }
    }

    @Test("after a rotation the session's next read opens the record with the new key (no stale snapshot under new keys)")
    func rotationBetweenReads() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            for index in 0..<10 { _ = try vault.put(ns: "app", key: "k\(index)", value: bytes("\(index)")) }
            let session = vault.makeReadSession()
            defer { session.close() }
            #expect(try session.get(ns: "app", key: "k3").value == bytes("3"))
            #expect(try vault.rotateMasterKey() == 10)
            #expect(try session.get(ns: "app", key: "k3").value == bytes("3"))
            #expect(try session.get(ns: "app", key: "k9").value == bytes("9"))
        }
    }

    @Test("an open session transaction holds off the WAL truncation; once end() ran it completes with no further write")
    func openTransactionHoldsOffTheScrubUntilEnd() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "keep", value: bytes("1"))
            _ = try vault.put(ns: "app", key: "gone", value: bytes("2"))
            let session = vault.makeReadSession()
            defer { session.close() }
            #expect(try session.get(ns: "app", key: "keep").value == bytes("1"))
            let doneBefore = vault.writer.scrubsDone
            #expect(try vault.delete(ns: "app", key: "gone"))
            // The scrub is tried (20 ms after the delete) and blocked by the session's snapshot.
            #expect(eventually(timeout: 60) { vault.writer.scrubsBlocked > 0 })
            #expect(vault.writer.scrubsDone == doneBefore)
            session.end()
            #expect(eventually(timeout: 60) { vault.writer.scrubsDone > doneBefore }, "the WAL truncation never completed after end()")
            #expect(try session.get(ns: "app", key: "keep").value == bytes("1"))
        }
    }

    @Test("while a checkpoint that readers blocked waits, reads end the open transaction and run alone; the retry completes without end()")
    func blockedCheckpointMakesReadsAlone() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "keep", value: bytes("1"))
            _ = try vault.put(ns: "app", key: "gone", value: bytes("2"))
            // Without the row cache: a repeated read would not touch SQLite.
            let session = vault.makeReadSession(cache: .none)
            defer { session.close() }
            #expect(try session.get(ns: "app", key: "keep").value == bytes("1"))
            #expect(session.inTransaction)
            let doneBefore = vault.writer.scrubsDone
            #expect(try vault.delete(ns: "app", key: "gone"))
            #expect(eventually(timeout: 60) { vault.writer.scrubsBlocked > 0 })
            let waiting = vault.writer.checkpointWaiting.load(ordering: .acquiring)
            #expect(waiting)
            // A read now (as a busy event loop would make) ends the transaction and opens none,
            // though it is not `alone`; nothing calls end() after it.
            let begun = session.transactionsBegun
            #expect(throws: StoreError.notFound) { try session.get(ns: "app", key: "gone") }
            #expect(try session.get(ns: "app", key: "keep").value == bytes("1"))
            #expect(!session.inTransaction)
            #expect(session.transactionsBegun == begun)
            #expect(eventually(timeout: 60) { vault.writer.scrubsDone > doneBefore }, "the retried WAL truncation never completed")
            let stillWaiting = vault.writer.checkpointWaiting.load(ordering: .acquiring)
            #expect(!stillWaiting)
            // Once it is done, reads share a transaction again.
            _ = try session.get(ns: "app", key: "keep")
            _ = try session.get(ns: "app", key: "keep")
            #expect(session.inTransaction)
        }
    }

    @Test("once the vault is closed a read throws unavailable and reads nothing")
    func closedVault() throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        _ = try vault.put(ns: "app", key: "k", value: bytes("1"))
        let session = vault.makeReadSession()
        #expect(try session.get(ns: "app", key: "k").value == bytes("1"))
        vault.close()
        #expect(throws: StoreError.unavailable("the store is closed")) { try session.get(ns: "app", key: "k") }
        #expect(!session.inTransaction)
    }
}
