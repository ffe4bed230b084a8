#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto

/// The audit log's files, as its writer thread keeps them: seals entries into
/// chained segments, appends, rotates, notices a file removed or replaced
/// under it, and keeps the head (`AuditHead`) that the vault stores.
/// Used only on the writer thread, under `AuditLog.io`.
final class AuditFileWriter: @unchecked Sendable {
    let path: String
    let maxBytes: Int
    private let storeHead: @Sendable ([UInt8]) -> Void

    private var fd: Int32 = -1
    private var size = 0
    private var file: (device: UInt64, inode: UInt64)?
    private var segment: (id: [UInt8], key: SecureKey, publicKey: [UInt8], next: UInt64, chain: [UInt8])?
    private var head = AuditHead(segment: [], next: 0, chain: [], firstLink: .genesis, currentFileLink: .genesis)
    /// Where the next segment continues from.
    private var continueFrom = AuditLink.genesis
    /// Flags for the next segment's link (`reopenedFlag` after a file vanished).
    private var nextFlags: UInt8 = 0
    private var currentFileLinked = false
    private var firstLinked = false
    private var headChanged = false
    private var headUrgent = false
    /// The head key, from the first time the vault was seen unlocked (kept while locked).
    private var headKey: SecureKey?
    /// The head found at start, until the head key can check it.
    private var inherited: [UInt8]?
    private(set) var unsynced = false
    private(set) var lastSync = Date.distantPast
    /// The head as the reader should check it (latest state, MAC under the current segment key).
    private(set) var sealedHead: [UInt8]?

    init(path: String, maxBytes: Int, storeHead: @escaping @Sendable ([UInt8]) -> Void) {
        self.path = path
        self.maxBytes = maxBytes
        self.storeHead = storeHead
    }

    /// Opens `audit.log` and picks up the chain from the files and the stored head.
    func start(storedHead: [UInt8]?) {
        openFile()
        let resumed = AuditResume(storedHead: storedHead,
                                  current: AuditScan(AuditFileBytes.read(path) ?? []),
                                  older: AuditScan(AuditFileBytes.read(path + ".1") ?? []))
        head = resumed.head
        continueFrom = resumed.continueFrom
        nextFlags = resumed.nextFlags
        firstLinked = resumed.firstLinked
        currentFileLinked = resumed.currentFileLinked
        inherited = storedHead.flatMap { AuditHead($0) == nil ? nil : $0 }
    }

    /// Learns the head key from the audit hash key (the first time the vault is
    /// seen unlocked) and checks the head found at start with it.
    func learnHeadKey(_ hashKey: SecureKey?) {
        guard headKey == nil, let hashKey else { return }
        var raw = hashKey.withUnsafeBytes { AuditHead.key(hashKey: $0) }
        defer { secureZero(&raw) }
        guard let key = try? raw.withUnsafeBytes({ (bytes) throws(CryptoError) in
            try SecureKey(copying: bytes, protection: .readableWhileHeld)
        }) else { return }
        headKey = key
        if let inherited, !key.withUnsafeBytes({ AuditHead.authentic(inherited, key: $0) }) {
            head.flags |= AuditHead.inheritedForgedFlag
        }
        inherited = nil
        reseal()
    }

    /// The head sealed under the head key, for readers and the vault.
    private func reseal() {
        guard let headKey, segment != nil || head.flags != 0 || !head.segment.isEmpty else { return }
        sealedHead = headKey.withUnsafeBytes { head.sealed(key: $0) }
        headChanged = true
    }

    /// Seals `entries` (already key-hashed) to `publicKey` and appends them;
    /// returns how many were lost.
    func write(_ entries: [AuditEntry], publicKey: [UInt8], pacing: inout WriterPacing) -> Int {
        checkFile()
        var plains = entries.map { $0.json() }
        defer { for index in plains.indices { secureZero(&plains[index]) } }
        var out: [UInt8] = []
        var lost = 0
        var buffered = 0 // records in `out`
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
            var (next, chain) = (current.next, current.chain)
            // Every record's nonce from one draw (one getrandom, not one per record).
            var nonces = [UInt8](repeating: 0, count: AEAD.nonceBytes * (plains.count - index))
            nonces.withUnsafeMutableBytes { SecureRandom.fill($0) }
            let firstNonce = index
            var ad = AuditFormat.associatedData(segment: current.id, sequence: 0)
            current.key.withUnsafeBytes { key in
                repeat {
                    AuditFormat.setSequence(&ad, next)
                    let frameStart = out.count
                    out.append(AuditFormat.recordType)
                    AuditFormat.appendU32(&out, UInt32(8 + plains[index].count + AEAD.overhead))
                    AuditFormat.appendU64(&out, next)
                    let nonceAt = (index - firstNonce) * AEAD.nonceBytes
                    plains[index].withUnsafeBytes { plain in
                        ad.withUnsafeBytes { ad in
                            nonces.withUnsafeBytes { nonces in
                                AEAD.seal(plain, key: key, associatedData: ad,
                                          nonce: UnsafeRawBufferPointer(rebasing: nonces[nonceAt..<(nonceAt + AEAD.nonceBytes)]),
                                          appendingTo: &out)
                            }
                        }
                    }
                    chain = out.withUnsafeBytes { AuditChain.fold(chain, UnsafeRawBufferPointer(rebasing: $0[frameStart...])) }
                    head.current.records += 1
                    if entries[index].outcome == "forbidden" { head.current.refused += 1 }
                    buffered += 1
                    next += 1
                    index += 1
                    pacing.stepDone()
                } while index < plains.count && !needsRotation(out.count, plains[index].count)
            }
            segment!.next = next
            segment!.chain = chain
            (head.next, head.chain) = (next, chain)
            continueFrom = head.link
        }
        if !append(&out) { lost += buffered }
        reseal()
        if headUrgent { sync() }
        return lost
    }

    /// Syncs the file, then saves the head (never ahead of what is on disk).
    func sync() {
        if fd >= 0 { fsync(fd) }
        unsynced = false
        lastSync = Date()
        if headChanged || headUrgent, let sealedHead { storeHead(sealedHead) }
        headChanged = false
        headUrgent = false
    }

    /// Syncs, saves the head and closes the file.
    func close() {
        sync()
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Whether a record of `plainBytes` would take the file past `maxBytes`
    /// (a file holding only its header is never rotated).
    private func needsRotation(_ buffered: Int, _ plainBytes: Int) -> Bool {
        let record = AuditFormat.frameHeaderBytes + 8 + plainBytes + AEAD.overhead
        return size + buffered + record > maxBytes && size + buffered > AuditFormat.frameHeaderBytes + AuditFormat.linkedHeaderBodyBytes
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
        var link = continueFrom
        link.flags |= nextFlags
        let mac = key.withUnsafeBytes { AuditChain.mac(AuditFormat.linkMessage(segment: id, link: link), key: $0) }
        let frame = AuditFormat.frame(AuditFormat.headerType, [AuditFormat.linkedVersion] + id + publicKey + sealed + link.encoded + mac)
        out += frame
        let chain = AuditChain.start(frame)
        segment = (id, key, publicKey, 0, chain)
        nextFlags = 0
        if !currentFileLinked { head.currentFileLink = link }
        if !firstLinked { head.firstLink = link }
        (currentFileLinked, firstLinked) = (true, true)
        (head.segment, head.next, head.chain) = (id, 0, chain)
        continueFrom = head.link
        // The vault must name the new segment at once: a head left naming the
        // previous one would make this segment's records look unaccounted for.
        headUrgent = true
        return true
    }

    /// `audit.log` → `audit.log.1` (the older file's records are counted as
    /// rotated away); a new `audit.log` with a new segment.
    private func rotate() {
        if fd >= 0 {
            fsync(fd)
            Glibc.close(fd)
        }
        rename(path, path + ".1")
        fd = -1
        segment = nil
        head.rotated.records += head.older.records
        head.rotated.refused += head.older.refused
        if head.older.records > 0 { head.lastRotation = Int64(Date().timeIntervalSince1970 * 1000) }
        head.older = head.current
        head.current = AuditHead.FileCount()
        head.firstLink = head.currentFileLink
        currentFileLinked = false
        openFile()
    }

    /// Before a batch: if `audit.log` is no longer the file being appended to
    /// (removed, renamed or replaced), start a new one whose first segment says so.
    private func checkFile() {
        var info = stat()
        if fd >= 0, let file, stat(path, &info) == 0, UInt64(info.st_dev) == file.device, UInt64(info.st_ino) == file.inode {
            return
        }
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        segment = nil
        if file != nil {
            // The records of the vanished file are gone; the next segment links to them.
            head.current = AuditHead.FileCount()
            currentFileLinked = false
            nextFlags = AuditLink.reopenedFlag
        }
        openFile()
    }

    /// Opens `audit.log` for appending, cutting off a torn last frame (a crash mid-write).
    private func openFile() {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            file = nil
            return
        }
        var info = stat()
        fstat(fd, &info)
        size = Int(info.st_size)
        file = (UInt64(info.st_dev), UInt64(info.st_ino))
        if size > 0, let bytes = AuditFileBytes.read(path) {
            let end = AuditFormat.frames(bytes).end
            if end < size {
                ftruncate(fd, off_t(end))
                size = end
            }
        }
    }
}
