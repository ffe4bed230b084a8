import LocketCrypto

/// The audit log's head, kept by the vault (its `meta` row `audit_head`):
/// the latest segment (id, record count, chain value), the link expected at the
/// start of each file, per-file record counts, and what rotation has pushed
/// out so far. Its fields are plain (a daemon that starts locked must continue
/// the chain) and authenticated by a MAC under the head key, derived from the
/// audit hash key (so from the vault's index key: only the master key's holder
/// can make one). The writer keeps the head key from the first unlock on, so a
/// vault locked later keeps saving heads; a run that has never been unlocked
/// saves none (the head from before stays, and the files run on past it).
/// A head cannot be forged or edited, only swapped for an older genuine one by
/// someone who can write the vault (see README, "Audit").
struct AuditHead: Equatable, Sendable {
    static let version: UInt8 = 1
    static let macBytes = 32
    static let bytes = 1 + AuditFormat.segmentIDBytes + 8 + 32 + 2 * AuditLink.bytes + 7 * 8 + 1 + macBytes
    /// `flags`: the head found at start did not authenticate once the head key was known.
    static let inheritedForgedFlag: UInt8 = 1

    /// Records and refused attempts in one file.
    struct FileCount: Equatable, Sendable {
        var records: UInt64 = 0
        var refused: UInt64 = 0
    }

    /// The latest segment and where it is.
    var segment: [UInt8]
    var next: UInt64
    var chain: [UInt8]
    /// The link the oldest kept file's first linked segment must carry.
    var firstLink: AuditLink
    /// The link `audit.log`'s first segment carries.
    var currentFileLink: AuditLink
    var current = FileCount()
    var older = FileCount()
    /// Records (and refused attempts among them) pushed out by rotation since the log began.
    var rotated = FileCount()
    /// When the latest rotation pushed records out (ms since 1970; 0: never).
    var lastRotation: Int64 = 0
    var flags: UInt8 = 0

    /// The head key: keyed BLAKE2b of a fixed context under the audit hash key.
    static func key(hashKey raw: UnsafeRawBufferPointer) -> [UInt8] {
        LookupHash.hash(Array("locket audit head key v1".utf8), rawKey: raw)
    }

    /// The state as a link, for the next segment to carry.
    var link: AuditLink { AuditLink(segment: segment, count: next, chain: chain) }

    /// The fields without the MAC.
    var body: [UInt8] {
        var out: [UInt8] = [Self.version] + segment
        AuditFormat.appendU64(&out, next)
        out += chain + firstLink.encoded + currentFileLink.encoded
        for n in [current.records, current.refused, older.records, older.refused, rotated.records, rotated.refused,
                  UInt64(bitPattern: lastRotation)] {
            AuditFormat.appendU64(&out, n)
        }
        out.append(flags)
        return out
    }

    /// Body and MAC under the head key.
    func sealed(key: UnsafeRawBufferPointer) -> [UInt8] {
        let body = body
        return body + AuditChain.mac(Array("locket audit head v1".utf8) + body, key: key)
    }

    /// Whether `bytes`' MAC holds under the head key `key`.
    static func authentic(_ bytes: [UInt8], key: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == Self.bytes else { return false }
        let body = Array(bytes.dropLast(macBytes))
        return AuditChain.equal(AuditChain.mac(Array("locket audit head v1".utf8) + body, key: key), Array(bytes.suffix(macBytes)))
    }

    /// The fields of a stored head (not checked: see `authentic`).
    init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.bytes, bytes[0] == Self.version else { return nil }
        var at = 1
        func take(_ n: Int) -> ArraySlice<UInt8> {
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func u64() -> UInt64 { AuditFormat.readU64(Array(take(8)), 0) }
        segment = Array(take(AuditFormat.segmentIDBytes))
        next = u64()
        chain = Array(take(32))
        guard let first = AuditLink(take(AuditLink.bytes)), let currentLink = AuditLink(take(AuditLink.bytes)) else { return nil }
        firstLink = first
        currentFileLink = currentLink
        current = FileCount(records: u64(), refused: u64())
        older = FileCount(records: u64(), refused: u64())
        rotated = FileCount(records: u64(), refused: u64())
        lastRotation = Int64(bitPattern: u64())
        flags = take(1).first!
    }

    init(segment: [UInt8], next: UInt64, chain: [UInt8], firstLink: AuditLink, currentFileLink: AuditLink) {
        self.segment = segment
        self.next = next
        self.chain = chain
        self.firstLink = firstLink
        self.currentFileLink = currentFileLink
    }
}
