import LocketCrypto
@testable import LocketAudit

/// Builds an audit log (one or two files and a sealed head) from a fuzz input,
/// the way the writer chains it: random bytes never authenticate, so the input
/// is a recipe mixing raw bytes with frames sealed and linked for real. Each
/// step starts with a control byte `c`; by `c % 8`:
/// - 0: a length byte `n`, then `n` raw bytes, appended as they are;
/// - 1: a selector `s`, then a segment header (at most `maxHeaders` per input) of pooled segment `s % 4`, linked by
///   `s >> 2 & 3`: 0 to where the log really is (genesis for the first), 1 genesis,
///   2 to a wrong count (`s >> 4`), 3 unlinked (version 1);
/// - 2 and 7: a length byte `n`, then `n` bytes of entry JSON, sealed as the next record;
/// - 3: a skip byte `d`, then as 2 at sequence + `d` (a gap, or a repeat when `d` wraps);
/// - 4: `audit.log` becomes `audit.log.1` and a new `audit.log` starts (rotation; once);
/// - 5: a byte `b`: a valid entry naming key `key<b>`, sealed as the next record;
/// - 6: a byte `n`: the last `n` bytes of the current file cut off.
/// The head (`AuditHead`) says where the log really is, sealed under the head
/// key; the second input byte picks, by `% 4`: that head, none, one a record
/// ahead, or that head with one byte changed.
/// `clean` says the log is as an honest writer leaves it: then nothing may be
/// reported as damage and every record whose entry is valid is read back.
struct AuditLogRecipe {
    /// A pooled segment: its id, its key in plain bytes (the harness seals with it), that key sealed.
    struct Segment {
        var id: [UInt8]
        var key: [UInt8]
        var sealed: [UInt8]
    }

    private(set) var older: [UInt8]?
    private(set) var current: [UInt8] = []
    private(set) var records = 0
    private(set) var plains: [[UInt8]] = []
    private(set) var clean = true
    private(set) var head: [UInt8]?

    private var segment: Segment?
    private var sequence: UInt64 = 0
    private var chain: [UInt8] = []
    private var firstLink: AuditLink?
    private var currentFileLink: AuditLink?
    private var used: Set<[UInt8]> = []
    private var headers = 0

    /// Headers past this many are left out: the reader opens each one's key (an X25519
    /// `crypto_box_seal_open` and a guarded allocation, more than the rest of an input
    /// costs), and inputs found by the fuzzer carried nine on average. Four reach
    /// every link check: the first segment, one continued, across files, out of
    /// order (a segment used again), and one missing.
    static let maxHeaders = 4

    /// Records past this many are left out (their input bytes still read): the
    /// time an input takes grows with its records (two bytes make one), inputs
    /// found by the fuzzer carried hundreds. Sixteen reach every record check: in
    /// order, a gap, a repeat, across segments and files, and past the query's
    /// limit (1–64 items, so one input in four asks for fewer than 16). Over the
    /// committed corpus, 16 against 48 kept all edges but one (1,844 of 1,845;
    /// the features that count how often a loop ran are fewer) at 1.5 times the
    /// executions a second.
    static let maxRecords = 16

    /// The valid entry of control 5 for each byte `b` (made once: building it per record cost more than reading it).
    static let validEntries: [[UInt8]] = (0..<256).map { b in
        Array(#"{"t":\#(b),"op":"get","ns":"n","k":"key\#(b)","out":"ok","pid":1,"uid":2}"#.utf8)
    }

    init(_ input: UnsafeRawBufferPointer, pool: [Segment], publicKey: [UInt8], headKey: [UInt8]) {
        var index = 0
        func byte() -> Int? {
            guard index < input.count else { return nil }
            defer { index += 1 }
            return Int(input[index])
        }
        func take(_ count: Int) -> [UInt8] {
            let end = min(input.count, index + count)
            defer { index = end }
            return Array(input[index..<end])
        }
        while let control = byte() {
            switch control % 8 {
            case 0:
                guard let count = byte() else { break }
                current += take(count)
                clean = false
            case 1:
                guard let selector = byte() else { break }
                guard headers < Self.maxHeaders else { break }
                headers += 1
                header(pool[selector % 4], mode: (selector >> 2) & 3, offset: UInt64(selector >> 4), publicKey: publicKey)
            case 3:
                guard let skip = byte() else { break }
                if skip != 0 { clean = false }
                sequence &+= UInt64(skip)
                guard let count = byte() else { break }
                record(take(count))
            case 4:
                guard older == nil else { break }
                older = current
                current = []
                currentFileLink = nil
                segmentEndsWithFile()
            case 5:
                guard let b = byte() else { break }
                record(Self.validEntries[b])
            case 6:
                guard let count = byte() else { break }
                current.removeLast(min(count, current.count))
                if count > 0 { clean = false }
            default:
                guard let count = byte() else { break }
                record(take(count))
            }
        }
        let mode = input.count > 1 ? input[1] % 4 : 0
        head = sealedHead(mode: mode, headKey: headKey, change: input.count > 2 ? Int(input[2]) : 0)
    }

    /// A new file: records must wait for a header of their own.
    private mutating func segmentEndsWithFile() {
        if segment != nil { endedSegment = (segment!.id, sequence, chain) }
        segment = nil
    }

    /// The last segment ended (its id, count, chain), which the next header continues.
    private var endedSegment: (id: [UInt8], count: UInt64, chain: [UInt8])?

    private var position: AuditLink {
        if let segment { return AuditLink(segment: segment.id, count: sequence, chain: chain) }
        if let endedSegment { return AuditLink(segment: endedSegment.id, count: endedSegment.count, chain: endedSegment.chain) }
        return .genesis
    }

    private mutating func header(_ next: Segment, mode: Int, offset: UInt64, publicKey: [UInt8]) {
        if mode != 0 || !used.insert(next.id).inserted { clean = false }
        var body = [AuditFormat.linkedVersion] + next.id + publicKey + next.sealed
        var link = position
        switch mode {
        case 1: link = .genesis
        case 2: link.count &+= offset + 1
        default: break
        }
        if mode == 3 {
            body[0] = AuditFormat.version
        } else {
            let mac = next.key.withUnsafeBytes { AuditChain.mac(AuditFormat.linkMessage(segment: next.id, link: link), key: $0) }
            body += link.encoded + mac
            if firstLink == nil { firstLink = link }
            if currentFileLink == nil { currentFileLink = link }
        }
        let frame = AuditFormat.frame(AuditFormat.headerType, body)
        current += frame
        if let segment { endedSegment = (segment.id, sequence, chain) }
        segment = next
        sequence = 0
        chain = AuditChain.start(frame)
    }

    private mutating func record(_ plain: [UInt8]) {
        guard records < Self.maxRecords else { return }
        plains.append(plain)
        records += 1
        guard let segment else {
            // Before any header of this file: sealed under no key the reader knows.
            current += AuditFormat.frame(AuditFormat.recordType, [UInt8](repeating: 0, count: 8) + plain)
            clean = false
            return
        }
        // The frame is written straight into the file (as `AuditFormat.frame` would lay it out).
        let ad = AuditFormat.associatedData(segment: segment.id, sequence: sequence)
        // The nonce is the segment id and the sequence number: no getrandom per record, and
        // the same input builds the same files (a repeated sequence repeats a nonce, which
        // only a writer must avoid; the reader cannot tell).
        var nonce = segment.id
        AuditFormat.appendU64(&nonce, sequence)
        let start = current.count
        current.append(AuditFormat.recordType)
        AuditFormat.appendU32(&current, UInt32(8 + plain.count + AEAD.overhead))
        AuditFormat.appendU64(&current, sequence)
        plain.withUnsafeBytes { p in
            segment.key.withUnsafeBytes { k in
                ad.withUnsafeBytes { a in nonce.withUnsafeBytes { n in AEAD.seal(p, key: k, associatedData: a, nonce: n, appendingTo: &current) } }
            }
        }
        chain = current.withUnsafeBytes { AuditChain.fold(chain, UnsafeRawBufferPointer(rebasing: $0[start...])) }
        sequence &+= 1
    }

    /// The head where the log is now (none if no linked segment was written), as `mode` says.
    private mutating func sealedHead(mode: UInt8, headKey: [UInt8], change: Int) -> [UInt8]? {
        let now = position
        guard let firstLink, !now.isGenesis else {
            if mode != 0 { clean = false }
            return mode == 3 ? [UInt8](repeating: UInt8(truncatingIfNeeded: change), count: change % 8) : nil
        }
        if mode != 0 { clean = false }
        guard mode != 1 else { return nil }
        var head = AuditHead(segment: now.segment, next: now.count, chain: now.chain, firstLink: firstLink,
                             currentFileLink: currentFileLink ?? firstLink)
        if mode == 2 { head.next &+= 1 }
        var sealed = headKey.withUnsafeBytes { head.sealed(key: $0) }
        if mode == 3 { sealed[change % sealed.count] ^= UInt8(truncatingIfNeeded: 1 + change / sealed.count) }
        return sealed
    }

    /// The files as a snapshot lists them, oldest first.
    var files: [(name: String, bytes: [UInt8])] {
        (older.map { [(name: "audit.log.1", bytes: $0)] } ?? []) + [(name: "audit.log", bytes: current)]
    }
}
