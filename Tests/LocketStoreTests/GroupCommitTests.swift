// Architecture: one writer thread batches concurrent writes into one
// transaction and one sync (group commit) and answers each caller only after
// its write is durable. A failing write in a batch is rolled back alone.
import Foundation
@testable import LocketStore
import Testing

@Suite("Durability and group commit")
struct GroupCommitTests {
    static func value(_ index: Int) -> [UInt8] { bytes("{\"i\":\(index),\"pad\":\"\(String(repeating: "x", count: index))\"}") }

    static func expectAllPresent(_ harness: VaultHarness, count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try harness.withVault { (vault) throws in
            for index in 0..<count {
                let entry = try vault.get(ns: "group", key: "k\(index)")
                #expect(entry.value == value(index), sourceLocation: sourceLocation)
                #expect(entry.version == 1, sourceLocation: sourceLocation)
            }
            #expect(try vault.count() == count, sourceLocation: sourceLocation)
        }
    }

    @Test("64 concurrent async puts all return and are all there after a reopen")
    func concurrentAsyncPuts() async throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        let writesBefore = vault.writer.writesCommitted
        let results = try await withThrowingTaskGroup(of: PutResult.self) { group in
            for index in 0..<64 {
                group.addTask { try await vault.put(ns: "group", key: "k\(index)", value: Self.value(index)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 64)
        #expect(results.allSatisfy { $0.created && $0.version == 1 })
        #expect(vault.writer.writesCommitted - writesBefore == 64)
        vault.close()
        try Self.expectAllPresent(harness, count: 64)
    }

    @Test("64 concurrent blocking puts (concurrentPerform) all return and are all there after a reopen")
    func concurrentBlockingPuts() throws {
        let harness = VaultHarness()
        let failures = Counter()
        try harness.withVault { (vault) throws in
            DispatchQueue.concurrentPerform(iterations: 64) { index in
                do {
                    let result = try vault.put(ns: "group", key: "k\(index)", value: Self.value(index))
                    if result != PutResult(created: true, version: 1, expiresAt: nil) { failures.add() }
                } catch {
                    failures.add()
                }
            }
        }
        #expect(failures.value == 0)
        try Self.expectAllPresent(harness, count: 64)
    }

    @Test("the callback forms of put and delete answer once the write is durable")
    func callbackForms() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            let done = DispatchSemaphore(value: 0)
            let outcome = Box<Result<PutResult, StoreError>>()
            vault.put(ns: "group", key: "k0", value: Self.value(0), ttl: 3600) { result in
                outcome.set(result)
                done.signal()
            }
            #expect(done.wait(timeout: .now() + 30) == .success)
            #expect(try outcome.get()?.get().version == 1)

            let deleted = Box<Result<Bool, StoreError>>()
            vault.put(ns: "group", key: "gone", value: bytes("1")) { _ in }
            vault.delete(ns: "group", key: "gone") { result in
                deleted.set(result)
                done.signal()
            }
            #expect(done.wait(timeout: .now() + 30) == .success)
            #expect(try deleted.get()?.get() == true)

            // A write refused before it is queued still answers, with the error.
            let refused = Box<Result<PutResult, StoreError>>()
            vault.put(ns: "", key: "k", value: bytes("1")) { result in
                refused.set(result)
                done.signal()
            }
            #expect(done.wait(timeout: .now() + 30) == .success)
            if case .failure(let error) = try #require(refused.get()) { #expect(error.isInvalidName) } else { Issue.record("expected a failure") }
        }
        try harness.withVault { (vault) throws in
            #expect(try vault.get(ns: "group", key: "k0").value == Self.value(0))
            #expect(throws: StoreError.notFound) { try vault.get(ns: "group", key: "gone") }
        }
    }

    @Test("writes queued behind a busy writer commit together in one transaction")
    func batching() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            let gate = DispatchSemaphore(value: 0)
            let answered = DispatchGroup()
            let commitsBefore = vault.writer.commits
            // Hold the writer thread (inside its batch) so the next writes queue up.
            let holding = DispatchSemaphore(value: 0)
            answered.enter()
            vault.writer.submit(GroupCommitWriter.job({ (_: SQLiteConnection) throws(StoreError) in holding.signal(); gate.wait() },
                                                      completion: { _ in answered.leave() }))
            #expect(holding.wait(timeout: .now() + 30) == .success)
            let failures = Counter()
            for index in 0..<64 {
                answered.enter()
                vault.put(ns: "group", key: "k\(index)", value: Self.value(index)) { result in
                    if case .failure = result { failures.add() }
                    answered.leave()
                }
            }
            gate.signal()
            #expect(answered.wait(timeout: .now() + 60) == .success)
            #expect(failures.value == 0)
            #expect(vault.writer.commits - commitsBefore == 2) // the gate's batch, then all 64 together
        }
        try Self.expectAllPresent(harness, count: 64)
    }

    @Test("a conflicting write in a batch is rolled back alone; the rest of the batch commits")
    func failingWriteInBatch() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "group", key: "cas", value: bytes("1"))
            let gate = DispatchSemaphore(value: 0)
            let answered = DispatchGroup()
            let holding = DispatchSemaphore(value: 0)
            answered.enter()
            vault.writer.submit(GroupCommitWriter.job({ (_: SQLiteConnection) throws(StoreError) in holding.signal(); gate.wait() },
                                                      completion: { _ in answered.leave() }))
            #expect(holding.wait(timeout: .now() + 30) == .success)
            let outcomes = Box<[String: Result<PutResult, StoreError>]>()
            for (name, ifVersion) in [("a", nil), ("cas", 7), ("b", nil), ("cas2", Optional(1)), ("cas", 1)] as [(String, Int?)] {
                answered.enter()
                let label = "\(name)@\(ifVersion.map(String.init) ?? "-")"
                vault.put(ns: "group", key: name, value: bytes("\"\(label)\""), ifVersion: ifVersion) { result in
                    outcomes.update { $0 = ($0 ?? [:]).merging([label: result]) { $1 } }
                    answered.leave()
                }
            }
            gate.signal()
            #expect(answered.wait(timeout: .now() + 60) == .success)
            let results = try #require(outcomes.get())
            #expect(results["a@-"] == .success(PutResult(created: true, version: 1, expiresAt: nil)))
            #expect(results["cas@7"] == .failure(.conflict(current: 1)))
            #expect(results["b@-"] == .success(PutResult(created: true, version: 1, expiresAt: nil)))
            #expect(results["cas2@1"] == .failure(.conflict(current: nil)))
            #expect(results["cas@1"] == .success(PutResult(created: false, version: 2, expiresAt: nil)))
            #expect(try vault.get(ns: "group", key: "cas").value == bytes("\"cas@1\""))
            #expect(throws: StoreError.notFound) { try vault.get(ns: "group", key: "cas2") }
        }
    }

    @Test("releasing a vault without close() right after a callback put neither hangs nor keeps the folder locked")
    func releaseWithoutClose() throws {
        let harness = VaultHarness()
        for index in 0..<10 {
            let done = DispatchSemaphore(value: 0)
            do {
                let vault = try harness.open()
                vault.put(ns: "group", key: "k\(index)", value: Self.value(index)) { _ in done.signal() }
            } // the last reference the test holds goes here, maybe before the writer is done with the job
            #expect(done.wait(timeout: .now() + 30) == .success)
            var reopened: Vault?
            let deadline = Date().addingTimeInterval(10)
            while reopened == nil, Date() < deadline {
                reopened = try? harness.open()
                if reopened == nil { usleep(10_000) }
            }
            let vault = try #require(reopened, "the released vault still holds the folder (round \(index))")
            #expect(try vault.get(ns: "group", key: "k\(index)").value == Self.value(index))
            vault.close()
        }
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int = 1) { lock.withLock { count += n } }
    var value: Int { lock.withLock { count } }
}

/// A thread-safe optional value.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    func set(_ value: T) { lock.withLock { stored = value } }
    func update(_ body: (inout T?) -> Void) { lock.withLock { body(&stored) } }
    func get() -> T? { lock.withLock { stored } }
}

@Suite("Writer lifetime")
struct WriterLifetimeTests {
    @Test("a closed vault's writer is freed once its thread ends (no thread ↔ writer cycle)")
    func writerIsFreedAfterClose() throws {
        let harness = VaultHarness()
        weak var writer: GroupCommitWriter?
        try harness.withVault { vault in
            writer = vault.writer
            _ = try vault.put(ns: "life", key: "k", value: bytes("1"))
        }
        // The thread lets go of the writer a moment after it signals that it stopped.
        let deadline = Date().addingTimeInterval(10)
        while writer != nil && Date() < deadline { usleep(10_000) }
        #expect(writer == nil)
    }
}
