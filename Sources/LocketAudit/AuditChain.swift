import LocketCrypto

/// The links that make the audit log tamper-evident (format version 2).
///
/// Every segment header carries a link to the segment before it: that
/// segment's id, its record count and the chain value after its last record.
/// The chain value runs over the bytes of every frame: a segment's starts as
/// the hash of its header frame (which holds the link), and each record frame
/// folds in. The link is MACed with the new segment's key. The vault keeps a
/// head (`AuditHead`, MACed with a key only the master key's holder can
/// derive) naming the latest segment, its count and chain value, and the links
/// expected at the start of each file; so records removed at the end or in the
/// middle, a whole file removed, segments reordered or dropped, and a file
/// replaced while the daemon runs all show up as damage.
///
/// What it does not stop: anyone who can write the files can add a segment of
/// their own (segments are sealed to the audit public key, which is plain) after
/// the genuine ones; and someone who can write both the files and the vault can
/// put back an older genuine head together with the log as it was then.
enum AuditChain {
    /// A public, fixed key: the chain is a plain (domain-separated) hash; what
    /// authenticates it is the head's MAC.
    private static let chainKey: [UInt8] = Array("locket audit chain v2".utf8) + [UInt8](repeating: 0, count: 11)

    /// The chain value after `frame` (a whole frame's bytes), from `previous`.
    static func fold(_ previous: [UInt8], _ frame: [UInt8]) -> [UInt8] {
        frame.withUnsafeBytes { fold(previous, $0) }
    }

    /// The same over borrowed frame bytes (a reader hashes frames where they lie in the file).
    static func fold(_ previous: [UInt8], _ frame: UnsafeRawBufferPointer) -> [UInt8] {
        previous.withUnsafeBytes { p in chainKey.withUnsafeBytes { LookupHash.hash(p, frame, rawKey: $0) } }
    }

    /// The chain value a segment starts from: the hash of its header frame.
    static func start(_ headerFrame: [UInt8]) -> [UInt8] {
        fold([], headerFrame)
    }

    /// A keyed BLAKE2b MAC (32 bytes) of `message` under `key` (a segment key or the head key).
    static func mac(_ message: [UInt8], key: UnsafeRawBufferPointer) -> [UInt8] {
        LookupHash.hash(message, rawKey: key)
    }

    /// Constant-time comparison of two MACs.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Where a segment continues the log from: the previous segment's id, how many
/// records it had, and its chain value after them.
struct AuditLink: Equatable, Sendable {
    static let bytes = AuditFormat.segmentIDBytes + 8 + 32 + 1
    /// No segment before it: a new log (or one kept by a version without links).
    static let genesisFlag: UInt8 = 1
    /// The writer found its file removed or replaced and started a new one.
    static let reopenedFlag: UInt8 = 2

    var segment: [UInt8]
    var count: UInt64
    var chain: [UInt8]
    var flags: UInt8

    static let genesis = AuditLink(segment: [UInt8](repeating: 0, count: AuditFormat.segmentIDBytes), count: 0,
                                   chain: [UInt8](repeating: 0, count: 32), flags: genesisFlag)

    var isGenesis: Bool { flags & Self.genesisFlag != 0 }
    var reopened: Bool { flags & Self.reopenedFlag != 0 }

    /// The same place in the log, whatever the flags.
    func samePlace(_ other: AuditLink) -> Bool {
        segment == other.segment && count == other.count && chain == other.chain && isGenesis == other.isGenesis
    }

    var encoded: [UInt8] {
        var out = segment
        AuditFormat.appendU64(&out, count)
        return out + chain + [flags]
    }

    init(segment: [UInt8], count: UInt64, chain: [UInt8], flags: UInt8 = 0) {
        self.segment = segment
        self.count = count
        self.chain = chain
        self.flags = flags
    }

    init?(_ bytes: ArraySlice<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == Self.bytes else { return nil }
        let id = AuditFormat.segmentIDBytes
        segment = Array(bytes[0..<id])
        count = AuditFormat.readU64(bytes, id)
        chain = Array(bytes[(id + 8)..<(id + 40)])
        flags = bytes[id + 40]
    }
}
