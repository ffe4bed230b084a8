#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto
import LocketSync
import Synchronization

/// The audit log's writer: one thread, a bounded queue, batched appends.
///
/// `record` never blocks (it is called on the event loop): past
/// `queueCapacity` waiting entries, an entry is dropped and counted
/// (`dropped`). The thread seals each entry into the current segment (the
/// nonces of a batch drawn at once), offering the CPU every few entries
/// (`WriterPacing`: how much that helps an event loop sharing its core is the
/// scheduler's call), appends a batch with one `write` (`O_APPEND`), and syncs at most
/// once a second.
/// When `audit.log` would grow past `maxBytes` it becomes `audit.log.1`
/// (replacing the older one) and a new file starts, so the log takes at most
/// about twice `maxBytes` on disk; the records pushed out are counted in the
/// vault's audit head (`AuditHead`). Segments are chained (`AuditChain`), the
/// head is saved after each sync, and a file removed or replaced under the
/// writer is noticed before the next batch and replaced by a new one that
/// says so. Entries dropped because the queue was full are written as one
/// `dropped` record with their count.
///
/// Sealing needs only the audit public key, which the vault keeps in plain
/// metadata: a locked vault's accesses are logged too. Hashing a key name
/// needs the hash key; while locked the name is sealed in the record instead
/// and hashed when read.
public final class AuditLog: @unchecked Sendable {
    /// The current file's name; rotation renames it with `.1` appended.
    public static let fileName = "audit.log"
    /// `audit.log` in the data folder.
    public let path: String
    /// Size past which the file is rotated.
    public let maxBytes: Int
    let queueCapacity: Int

    private let keys: @Sendable () -> (publicKey: [UInt8]?, hashKey: SecureKey?)
    private let summary: (@Sendable (AuditEntry) -> Void)?
    private let loadHead: @Sendable () -> [UInt8]?
    private let files: AuditFileWriter
    private let condition = ConditionLock()
    // Guarded by `condition`:
    private var pending = ChunkedQueue<AuditEntry>()
    /// `pending.count`, readable without the lock: the writer stops yielding while it is long.
    private let waiting = Atomic<Int>(0)
    private var accepted = 0
    private var processed = 0
    private var droppedCount = 0
    /// Entries refused by a full queue and not yet written as a `dropped` record.
    private var unrecordedDrops = 0
    private var stopping = false
    private var finished = false
    /// Threads in `flush` or `stop` (then `record` must wake everyone, not just the writer).
    private var waiters = 0
    /// Held while the files change (append, rotate), so a reader sees whole batches.
    let io = ConditionLock()

    /// A batch this large is written at once; a smaller one waits `gatherSeconds` for more.
    static let batchTarget = 256
    /// 0.5 ms: with a loop and the writer on one core, a 2 ms gather made batches
    /// four times as long and the pinned `get` p50 0.8–1.3 µs slower (BENCHMARKS.md).
    static let gatherSeconds = 0.0005

    /// Opens (or creates, 0600) `audit.log` in `folder` and starts the writer thread.
    /// `summary` is called on the writer thread for each entry written, key hashed (the journald line).
    /// `loadHead` reads the vault's stored head, `storeHead` replaces it (both on the writer thread).
    public init(folder: String, maxBytes: Int, queueCapacity: Int,
         keys: @escaping @Sendable () -> (publicKey: [UInt8]?, hashKey: SecureKey?),
         loadHead: @escaping @Sendable () -> [UInt8]?, storeHead: @escaping @Sendable ([UInt8]) -> Void,
         summary: (@Sendable (AuditEntry) -> Void)?) {
        path = "\(folder)/\(Self.fileName)"
        self.maxBytes = max(4096, maxBytes)
        self.queueCapacity = max(1, queueCapacity)
        self.keys = keys
        self.summary = summary
        self.loadHead = loadHead
        files = AuditFileWriter(path: path, maxBytes: max(4096, maxBytes), storeHead: storeHead)
        do {
            try BackgroundThread.start(name: "locket-audit") { self.loop() }
        } catch {
            // No thread, no writer: every entry is counted as lost (`record` after `stop`).
            stopWithoutThread()
        }
    }

    /// The writer thread could not start: the log takes no entries and `stop` does not wait.
    private func stopWithoutThread() {
        condition.withLock {
            stopping = true
            finished = true
        }
    }

    /// Queues an entry; never blocks. Dropped (and counted) when the queue is full or the log is stopped.
    public func record(_ entry: AuditEntry) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, pending.count < queueCapacity else {
            droppedCount += 1
            if !stopping { unrecordedDrops += 1 }
            return
        }
        pending.append(entry)
        waiting.store(pending.count, ordering: .relaxed)
        accepted += 1
        // Wake the writer only when the queue stops being empty: it takes everything then.
        if waiters > 0 { condition.broadcast() } else if pending.count == 1 { condition.signal() }
    }

    /// Entries queued and not yet taken by the writer.
    var waitingCount: Int { waiting.load(ordering: .relaxed) }

    /// Whether every entry accepted so far has been written (nothing queued, no
    /// batch in hand). After a burst the writer may still be working through its
    /// queue after the requests have stopped; the memory that queue held is freed
    /// only then.
    public var isCaughtUp: Bool {
        condition.lock()
        defer { condition.unlock() }
        return processed == accepted && pending.isEmpty
    }

    /// Entries dropped so far: queue full, no audit key known yet, or a failed write.
    public var dropped: Int {
        condition.lock()
        defer { condition.unlock() }
        return droppedCount
    }

    /// Waits (up to `timeout` seconds) until every entry queued before the call is written.
    public func flush(timeout: Double = 5) {
        condition.lock()
        defer { condition.unlock() }
        let target = accepted
        let deadline = Date(timeIntervalSinceNow: timeout)
        waiters += 1
        while processed < target && !finished {
            if !condition.wait(seconds: deadline.timeIntervalSinceNow) { break }
        }
        waiters -= 1
    }

    /// The bytes of `audit.log.1` and `audit.log` (oldest first) and the
    /// current sealed head, read between batches.
    public func snapshot() -> AuditSnapshot {
        flush()
        let hashKey = keys().hashKey
        io.lock()
        defer { io.unlock() }
        // A run never unlocked until now learns the head key here (`audit` is not itself audited).
        files.learnHeadKey(hashKey)
        return AuditSnapshot(files: Self.readFiles(path), head: files.sealedHead ?? loadHead())
    }

    /// Reads the two files of a log at `path` (for a daemon run without the writer).
    public static func readFiles(_ path: String) -> [(name: String, bytes: [UInt8])] {
        [path + ".1", path].compactMap { file in
            guard let bytes = AuditFileBytes.read(file) else { return nil }
            return (String(file.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(file)), bytes)
        }
    }

    /// Writes what is queued, syncs, and ends the thread.
    public func stop() {
        condition.lock()
        stopping = true
        waiters += 1
        condition.broadcast()
        while !finished { condition.wait() }
        waiters -= 1
        condition.unlock()
    }

    // MARK: - Writer thread

    private func loop() {
        io.lock()
        files.start(storedHead: loadHead())
        io.unlock()
        while true {
            condition.lock()
            while pending.isEmpty && unrecordedDrops == 0 && !stopping {
                if files.unsynced {
                    if Date() >= files.lastSync.addingTimeInterval(1) { break }
                    _ = condition.wait(seconds: files.lastSync.addingTimeInterval(1).timeIntervalSinceNow)
                } else {
                    condition.wait()
                }
            }
            if !stopping && !pending.isEmpty && pending.count < Self.batchTarget {
                // Let a burst gather for a moment: one write for many entries, not one each.
                _ = condition.wait(seconds: Self.gatherSeconds)
            }
            // The queue's chunks as they are; the queue starts afresh (keeping a burst's
            // capacity would hold its peak, up to `queueCapacity` entries, for good).
            var chunks = pending.takeAll()
            waiting.store(0, ordering: .relaxed)
            let drops = unrecordedDrops
            unrecordedDrops = 0
            let stop = stopping
            condition.unlock()

            let queued = chunks.reduce(0) { $0 + $1.count }
            if drops > 0 { chunks.append([AuditEntry(droppedCount: drops, time: Int64(Date().timeIntervalSince1970 * 1000))]) }
            // A chunk at a time (one write each): no array of the whole batch is built.
            var lost = 0
            for index in chunks.indices where !chunks[index].isEmpty {
                let chunk = chunks[index]
                chunks[index] = [] // freed once written, and owned alone by `write`
                lost += write(chunk)
            }
            if files.unsynced && (stop || Date() >= files.lastSync.addingTimeInterval(1)) {
                io.lock()
                files.sync()
                io.unlock()
            }
            condition.lock()
            processed += queued
            droppedCount += min(lost, queued)
            let done = stop && pending.isEmpty
            if done {
                finished = true
                io.lock()
                files.close()
                io.unlock()
            }
            condition.broadcast()
            condition.unlock()
            if done { return }
        }
    }

    /// Hashes key names, hands each entry to `summary`, and has the file writer
    /// seal and append them; returns how many entries were lost.
    private func write(_ batch: consuming [AuditEntry]) -> Int {
        let (publicKey, hashKey) = keys()
        var entries = batch
        // Yield only while the queue behind this batch stays short: a writer that falls
        // behind on a busy machine must catch up, not hold a growing queue in memory.
        var pacing = WriterPacing(waiting: { [self] in waiting.load(ordering: .relaxed) })
        if let hashKey {
            hashKey.withUnsafeBytes { raw in
                // A batch under load names the same few keys over and over: each name is hashed once per batch.
                var hashed = KeyHashMemo()
                for index in entries.indices {
                    guard let key = entries[index].key else { continue }
                    entries[index].keyHash = hashed.hash(key) { AuditKeys.keyHash(key, rawHashKey: raw) }
                    entries[index].key = nil
                    pacing.stepDone()
                }
            }
        }
        if let summary { entries.forEach(summary) }
        io.lock()
        defer { io.unlock() }
        files.learnHeadKey(hashKey)
        guard let publicKey else { return entries.count }
        return files.write(entries, publicKey: publicKey, pacing: &pacing)
    }
}
