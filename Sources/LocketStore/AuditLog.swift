#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LocketCrypto

/// The audit log's writer: one thread, a bounded queue, batched appends.
///
/// `record` never blocks (it is called on the event loop): past
/// `queueCapacity` waiting entries, an entry is dropped and counted
/// (`dropped`). The thread seals each entry into the current segment, appends
/// a batch with one `write` (`O_APPEND`), and syncs at most once a second.
/// When `audit.log` would grow past `maxBytes` it becomes `audit.log.1`
/// (replacing the older one) and a new file starts, so the log takes at most
/// about twice `maxBytes` on disk.
///
/// Sealing needs only the audit public key, which the vault keeps in plain
/// metadata: a locked vault's accesses are logged too. Hashing a key name
/// needs the hash key; while locked the name is sealed in the record instead
/// and hashed when read.
public final class AuditLog: @unchecked Sendable {
    /// `audit.log` in the data folder.
    public let path: String
    /// Size past which the file is rotated.
    public let maxBytes: Int
    let queueCapacity: Int

    private let keys: @Sendable () -> (publicKey: [UInt8]?, hashKey: SecureKey?)
    private let summary: (@Sendable (AuditEntry) -> Void)?
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var pending: [AuditEntry] = []
    private var accepted = 0
    private var processed = 0
    private var droppedCount = 0
    private var stopping = false
    private var finished = false
    /// Threads in `flush` or `stop` (then `record` must wake everyone, not just the writer).
    private var waiters = 0
    /// Held while the files change (append, rotate), so a reader sees whole batches.
    private let io = NSLock()

    /// A batch this large is written at once; a smaller one waits `gatherSeconds` for more.
    static let batchTarget = 256
    static let gatherSeconds = 0.002

    // Writer thread only:
    private var fd: Int32 = -1
    private var size = 0
    private var segment: (id: [UInt8], key: SecureKey, publicKey: [UInt8], next: UInt64)?
    private var unsynced = false
    private var lastSync = Date.distantPast

    /// Opens (or creates, 0600) `audit.log` in `folder` and starts the writer thread.
    /// `summary` is called on the writer thread for each entry written, key hashed (the journald line).
    init(folder: String, maxBytes: Int, queueCapacity: Int,
         keys: @escaping @Sendable () -> (publicKey: [UInt8]?, hashKey: SecureKey?),
         summary: (@Sendable (AuditEntry) -> Void)?) {
        path = "\(folder)/audit.log"
        self.maxBytes = max(4096, maxBytes)
        self.queueCapacity = max(1, queueCapacity)
        self.keys = keys
        self.summary = summary
        let thread = Thread { self.loop() }
        thread.name = "locket-audit"
        thread.start()
    }

    /// Queues an entry; never blocks. Dropped (and counted) when the queue is full or the log is stopped.
    public func record(_ entry: AuditEntry) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, pending.count < queueCapacity else {
            droppedCount += 1
            return
        }
        pending.append(entry)
        accepted += 1
        // Wake the writer only when the queue stops being empty: it takes everything then.
        if waiters > 0 { condition.broadcast() } else if pending.count == 1 { condition.signal() }
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
            if !condition.wait(until: deadline) { break }
        }
        waiters -= 1
    }

    /// The bytes of `audit.log.1` and `audit.log` (oldest first), read between batches.
    public func snapshot() -> [(name: String, bytes: [UInt8])] {
        flush()
        io.lock()
        defer { io.unlock() }
        return Self.readFiles(path)
    }

    /// Reads the two files of a log at `path` (for a daemon run without the writer).
    public static func readFiles(_ path: String) -> [(name: String, bytes: [UInt8])] {
        [path + ".1", path].compactMap { file in
            guard let data = FileManager.default.contents(atPath: file) else { return nil }
            return ((file as NSString).lastPathComponent, [UInt8](data))
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
        openFile()
        while true {
            condition.lock()
            while pending.isEmpty && !stopping {
                if unsynced {
                    if Date() >= lastSync.addingTimeInterval(1) { break }
                    _ = condition.wait(until: lastSync.addingTimeInterval(1))
                } else {
                    condition.wait()
                }
            }
            if !stopping && !pending.isEmpty && pending.count < Self.batchTarget {
                // Let a burst gather for a moment: one write for many entries, not one each.
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.gatherSeconds))
            }
            let batch = pending
            // A fresh buffer: keeping the old one's capacity would hold a burst's peak
            // (up to `queueCapacity` entries, ~2 MiB) for as long as the daemon runs.
            pending = []
            let stop = stopping
            condition.unlock()

            let lost = batch.isEmpty ? 0 : write(batch)
            if unsynced && (stop || Date() >= lastSync.addingTimeInterval(1)) {
                if fd >= 0 { fsync(fd) }
                unsynced = false
                lastSync = Date()
            }
            condition.lock()
            processed += batch.count
            droppedCount += lost
            let done = stop && pending.isEmpty
            if done {
                finished = true
                if fd >= 0 { close(fd) }
                fd = -1
            }
            condition.broadcast()
            condition.unlock()
            if done { return }
        }
    }

    /// Seals and appends a batch; returns how many entries were lost. Each key is
    /// borrowed once per batch (or per run of records in one segment), not per entry.
    private func write(_ batch: [AuditEntry]) -> Int {
        let (publicKey, hashKey) = keys()
        var entries = batch
        if let hashKey {
            hashKey.withUnsafeBytes { raw in
                for index in entries.indices {
                    guard let key = entries[index].key else { continue }
                    entries[index].keyHash = AuditKeys.keyHash(key, rawHashKey: raw)
                    entries[index].key = nil
                }
            }
        }
        if let summary { entries.forEach(summary) }
        guard let publicKey, fd >= 0 else { return batch.count }
        var plains = entries.map { $0.json() }
        defer { for index in plains.indices { secureZero(&plains[index]) } }

        var out: [UInt8] = []
        var lost = 0
        var buffered = 0 // records in `out`
        io.lock()
        defer { io.unlock() }
        var index = 0
        while index < plains.count {
            if needsRotation(out.count, plains[index].count) {
                if !append(&out) { lost += buffered }
                buffered = 0
                rotate()
            }
            if segment == nil || segment!.publicKey != publicKey {
                guard startSegment(publicKey, into: &out) else {
                    lost += plains.count - index
                    break
                }
            }
            // Seal records into this segment until it must rotate.
            let current = segment!
            var next = current.next
            current.key.withUnsafeBytes { key in
                repeat {
                    let ad = AuditFormat.associatedData(segment: current.id, sequence: next)
                    var body: [UInt8] = []
                    body.reserveCapacity(8 + plains[index].count + AEAD.overhead)
                    AuditFormat.appendU64(&body, next)
                    plains[index].withUnsafeBytes { plain in
                        ad.withUnsafeBytes { body += AEAD.seal(plain, key: key, associatedData: $0) }
                    }
                    out += AuditFormat.frame(AuditFormat.recordType, body)
                    buffered += 1
                    next += 1
                    index += 1
                } while index < plains.count && !needsRotation(out.count, plains[index].count)
            }
            segment!.next = next
        }
        if !append(&out) { lost += buffered }
        return lost
    }

    /// Whether a record of `plainBytes` would take the file past `maxBytes`
    /// (a file holding only its header is never rotated).
    private func needsRotation(_ buffered: Int, _ plainBytes: Int) -> Bool {
        let record = AuditFormat.frameHeaderBytes + 8 + plainBytes + AEAD.overhead
        return size + buffered + record > maxBytes && size + buffered > AuditFormat.frameHeaderBytes + AuditFormat.headerBodyBytes
    }

    /// Appends `out` to the file (one write) and empties it.
    private func append(_ out: inout [UInt8]) -> Bool {
        guard !out.isEmpty else { return true }
        defer { out.removeAll(keepingCapacity: true) }
        guard fd >= 0 else { return false }
        let written = out.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
        if written {
            size += out.count
            unsynced = true
        } else {
            // A partial write would misalign later frames: cut back to the last whole one.
            ftruncate(fd, off_t(size))
        }
        return written
    }

    private func startSegment(_ publicKey: [UInt8], into out: inout [UInt8]) -> Bool {
        let id = SecureRandom.bytes(AuditFormat.segmentIDBytes)
        // Sealing key of this segment, used for every batch: read-only while held.
        guard let key = try? SecureKey.random(protection: .readableWhileHeld),
              let sealed = try? key.withUnsafeBytes({ (raw) throws(CryptoError) in try SealedBox.seal(raw, to: publicKey) }) else {
            return false
        }
        out += AuditFormat.frame(AuditFormat.headerType, [AuditFormat.version] + id + publicKey + sealed)
        segment = (id, key, publicKey, 0)
        return true
    }

    /// `audit.log` → `audit.log.1`; a new `audit.log` with a new segment.
    private func rotate() {
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        rename(path, path + ".1")
        fd = -1
        segment = nil
        openFile()
    }

    /// Opens `audit.log` for appending, cutting off a torn last frame (a crash mid-write).
    private func openFile() {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        var info = stat()
        fstat(fd, &info)
        size = Int(info.st_size)
        if size > 0, let data = FileManager.default.contents(atPath: path) {
            let end = AuditFormat.frames([UInt8](data)).end
            if end < size {
                ftruncate(fd, off_t(end))
                size = end
            }
        }
    }
}
