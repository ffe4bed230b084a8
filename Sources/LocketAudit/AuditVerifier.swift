#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto

/// Reads the audit log's files in order and checks everything that makes it
/// tamper-evident: each record authenticates, sequence numbers have no gap,
/// each linked segment continues exactly where the one before it ended (or,
/// for the first one, where the head says the kept log starts), and the last
/// segment reaches what the sealed head says. Problems go to `damage`.
struct AuditVerifier {
    private let keys: AuditKeys
    private let query: AuditQuery
    private let since: Int64?
    private(set) var items: [AuditEntry] = []
    private(set) var damage: [String] = []

    /// One segment being read.
    private struct Segment {
        var id: [UInt8]
        var key: SecureKey?
        var next: UInt64 = 0
        var chain: [UInt8] = []
        var linked = false
        var unreadable = 0
    }

    private var segment: Segment?
    /// The previous segment (ended), and every ended segment by id.
    private var previous: Segment?
    private var ended: [[UInt8]: Segment] = [:]
    private var sawLinked = false
    private var firstLink: AuditLink?

    init(keys: AuditKeys, query: AuditQuery) {
        self.keys = keys
        self.query = query
        since = query.since.map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) }
    }

    private static func name(_ id: [UInt8]) -> String { AuditFormat.hex(id.prefix(4)) }

    /// Reads one file.
    mutating func read(name: String, bytes: [UInt8]) {
        let (frames, end) = AuditFormat.frames(bytes)
        for frame in frames {
            if frame.type == AuditFormat.headerType {
                header(frame, in: bytes, file: name)
            } else {
                record(frame, in: bytes, file: name)
            }
        }
        closeSegment(file: name)
        if end < bytes.count {
            damage.append("\(name): \(bytes.count - end) byte(s) at the end are not a whole record (torn write or tampering)")
        }
    }

    private mutating func closeSegment(file: String) {
        guard let current = segment else { return }
        if current.key == nil, current.unreadable > 0 {
            damage.append("\(file): \(current.unreadable) record(s) of segment \(Self.name(current.id)) cannot be opened")
        }
        if !current.id.isEmpty { ended[current.id] = current }
        previous = current
        segment = nil
    }

    private mutating func header(_ frame: AuditFormat.Frame, in bytes: [UInt8], file: String) {
        closeSegment(file: file)
        let body = Array(frame.body)
        let linked = body.count == AuditFormat.linkedHeaderBodyBytes && body.first == AuditFormat.linkedVersion
        guard linked || (body.count == AuditFormat.headerBodyBytes && body.first == AuditFormat.version) else {
            damage.append("\(file): malformed segment header at byte \(frame.offset)")
            segment = Segment(id: [])
            return
        }
        let id = Array(body[1..<17])
        let publicKey = Array(body[17..<49])
        let sealed = Array(body[49..<AuditFormat.headerBodyBytes])
        var current = Segment(id: id, chain: AuditChain.start(frame.bytes(in: bytes)), linked: linked)
        defer { segment = current }
        guard publicKey == keys.publicKey else {
            damage.append("\(file): segment \(Self.name(id)) is sealed to another vault's audit key")
            return
        }
        // Read-only while held, as the writer keeps it: a guarded key would cost two mprotect calls per record.
        // Kept by segment id and sealed bytes for the next read (a changed sealed key is opened again).
        guard let key = try? keys.segmentKeys.key(segment: id, sealed: sealed, open: { () throws(CryptoError) in
                  try SealedBox.openKey(sealed, publicKey: keys.publicKey, secretKey: keys.secretKey,
                                        protection: .readableWhileHeld)
              }),
              key.count == AEAD.keyBytes else {
            damage.append("\(file): the key of segment \(Self.name(id)) does not open (tampered header)")
            return
        }
        current.key = key
        guard linked, let (link, mac) = AuditFormat.link(ofHeader: body) else { return }
        let expected = key.withUnsafeBytes { AuditChain.mac(AuditFormat.linkMessage(segment: id, link: link), key: $0) }
        guard AuditChain.equal(expected, mac) else {
            damage.append("\(file): the link of segment \(Self.name(id)) does not authenticate (tampered header)")
            return
        }
        check(link, of: id, file: file)
    }

    /// Whether segment `id` continues where the log before it ended.
    private mutating func check(_ link: AuditLink, of id: [UInt8], file: String) {
        // Built only when there is damage to report (most reads have none).
        var here: String { "\(file): segment \(Self.name(id))" }
        if link.reopened {
            damage.append("\(here) was started because audit.log was removed, renamed or replaced (not by rotation)")
        }
        defer { sawLinked = true }
        guard sawLinked else {
            firstLink = link
            return
        }
        if link.isGenesis {
            damage.append("\(here) starts a new chain after linked segments: the vault's audit head was removed or reset")
            return
        }
        if let before = previous, before.linked, before.id == link.segment {
            if link.count > before.next {
                damage.append("\(file): \(link.count - before.next) record(s) missing at the end of segment \(Self.name(before.id)) (truncated)")
            } else if link.count < before.next {
                damage.append("\(file): segment \(Self.name(before.id)) has \(before.next - link.count) record(s) past the point segment \(Self.name(id)) continues from")
            } else if link.chain != before.chain {
                damage.append("\(file): records of segment \(Self.name(before.id)) were replaced or reordered")
            }
        } else if ended[link.segment] != nil {
            damage.append("\(here) is out of order: it continues segment \(Self.name(link.segment)), which is not the one before it")
        } else {
            damage.append("\(here) continues segment \(Self.name(link.segment)) (\(link.count) record(s)), which is missing")
        }
    }

    private mutating func record(_ frame: AuditFormat.Frame, in bytes: [UInt8], file: String) {
        guard var current = segment else {
            damage.append("\(file): a record at byte \(frame.offset) comes before any segment header")
            return
        }
        defer { segment = current }
        // The frame and its body are read where they lie in the file (`frame.body` shares its indices).
        let body = frame.body.indices
        current.chain = bytes.withUnsafeBytes {
            AuditChain.fold(current.chain, UnsafeRawBufferPointer(rebasing: $0[frame.offset..<body.upperBound]))
        }
        guard let key = current.key else {
            current.unreadable += 1
            current.next += 1
            return
        }
        guard body.count >= 8 + AEAD.overhead else {
            damage.append("\(file): record at byte \(frame.offset) is too short")
            return
        }
        let sequence = AuditFormat.readU64(bytes, body.lowerBound)
        if sequence != current.next {
            damage.append(sequence > current.next
                ? "\(file): \(sequence - current.next) record(s) missing before byte \(frame.offset) in segment \(Self.name(current.id))"
                : "\(file): record \(sequence) of segment \(Self.name(current.id)) is out of order (byte \(frame.offset))")
        }
        current.next = max(current.next, sequence &+ 1)
        let ad = AuditFormat.associatedData(segment: current.id, sequence: sequence)
        let opened = bytes.withUnsafeBytes { file in
            key.withUnsafeBytes { k in
                ad.withUnsafeBytes { a in
                    try? AEAD.open(UnsafeRawBufferPointer(rebasing: file[(body.lowerBound + 8)..<body.upperBound]), key: k, associatedData: a)
                }
            }
        }
        guard var plain = opened else {
            damage.append("\(file): record \(sequence) of segment \(Self.name(current.id)) does not authenticate (tampered)")
            return
        }
        defer { secureZero(&plain) }
        guard var entry = plain.withUnsafeBytes({ AuditEntry.decode(json: $0) }) else {
            damage.append("\(file): record \(sequence) of segment \(Self.name(current.id)) is not a valid entry")
            return
        }
        if let key = entry.key {
            // Written while locked: hash the name now; it never leaves this function.
            entry.keyHash = AuditKeys.keyHash(key, hashKey: keys.hashKey)
            entry.key = nil
        }
        if let since, entry.time < since { return }
        if let ns = query.ns, entry.ns != ns { return }
        items.append(entry)
    }

    /// Checks the end of the log against the sealed head and returns what was read.
    mutating func finish(head sealed: [UInt8]?) -> AuditReadout {
        closeSegment(file: "audit.log")
        var rotated: AuditRotation?
        if let sealed {
            rotated = checkHead(sealed)
        } else if sawLinked {
            damage.append("the vault has no audit head but the log has linked segments: the head was removed, so the end of the log cannot be checked")
        }
        if items.count > query.limit { items.removeFirst(items.count - query.limit) }
        return AuditReadout(items: items, damage: damage, rotated: rotated)
    }

    private mutating func checkHead(_ sealed: [UInt8]) -> AuditRotation? {
        guard let head = AuditHead(sealed) else {
            damage.append("the vault's audit head is malformed")
            return nil
        }
        var latest: String { Self.name(head.segment) }
        var headKey = keys.hashKey.withUnsafeBytes { AuditHead.key(hashKey: $0) }
        defer { secureZero(&headKey) }
        guard headKey.withUnsafeBytes({ AuditHead.authentic(sealed, key: $0) }) else {
            damage.append("the vault's audit head does not authenticate (forged or edited)")
            return nil
        }
        if head.flags & AuditHead.inheritedForgedFlag != 0 {
            damage.append("the audit head found when locketd started did not authenticate (forged or edited): records before that start may have been removed")
        }
        guard let last = ended[head.segment] else {
            damage.append("the latest segment \(latest) (\(head.next) record(s)) is missing: audit.log was removed, replaced or truncated")
            return nil
        }
        if last.next < head.next {
            damage.append("\(head.next - last.next) record(s) missing at the end of segment \(latest) (truncated)")
        } else if last.next == head.next, last.chain != head.chain {
            damage.append("records of segment \(latest) were replaced or reordered")
        }
        if let firstLink, !firstLink.samePlace(head.firstLink) {
            damage.append("records at the start of the log are missing: audit.log.1 or the start of audit.log was removed, replaced or truncated (not by rotation)")
        }
        guard head.rotated.records > 0 else { return nil }
        return AuditRotation(records: Int(head.rotated.records), refused: Int(head.rotated.refused),
                             last: Date(timeIntervalSince1970: Double(head.lastRotation) / 1000))
    }
}
