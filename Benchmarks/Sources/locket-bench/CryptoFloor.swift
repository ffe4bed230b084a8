import Glibc
import LocketCrypto

/// The crypto floor of issue 18: the crypto one `get` of the harness's 200 B
/// value makes in locketd, alone, in a loop in this process, through the same
/// `LocketCrypto` calls with the same sizes (real libsodium):
///
/// 1. the lookup id (`Records.lookupID`): `LookupHash.hash`, keyed BLAKE2b with
///    a 32-byte output, of the 18-byte name encoding
///    `"e" ‖ u32 5 ‖ "bench" ‖ u32 4 ‖ "v200"` under the index key;
/// 2. the data key (`Records.open`): `KeyWrap.withUnwrapped`, an AEAD open
///    (XChaCha20-Poly1305) of the 72-byte wrapped key under the wrap key, the
///    row's 124-byte format-2 context (`RecordClaims.dataKeyContext`) as
///    associated data;
/// 3. the record: `AEAD.open` of the 257-byte sealed payload (`u32 ‖ ns ‖ u32 ‖
///    key ‖ value`, 217 bytes, plus 40) under the data key, the lookup id as
///    associated data; the payload is then wiped (`secureZero`), as `Records.open` does.
///
/// Both vault keys are `readableWhileHeld`, as `VaultKeys.protection` makes
/// them (a borrow changes no page protection). What is not crypto (the SQLite
/// read, building the name and context bytes, parsing the payload) is left out:
/// those bytes are made once, before the loop.
///
/// Times are the calling thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), so they
/// compare with the daemon's utime + stime and a loaded machine's preemption
/// does not count.
enum CryptoFloor {
    /// Nanoseconds of CPU per get-worth of crypto, one figure per batch of `getsPerBatch`.
    static func get(batches: Int, getsPerBatch: Int) -> [Double] {
        let value = Array(Requests.value200.utf8)
        let (ns, key) = (Array("bench".utf8), Array("v200".utf8))
        guard let index = try? SecureKey.random(protection: .readableWhileHeld),
              let wrap = try? SecureKey.random(protection: .readableWhileHeld)
        else { fatal("crypto floor: no guarded memory for the keys") }
        let message = [0x65] + field(ns) + field(key)
        let lookup = LookupHash.hash(message, key: index)
        // A format-2 context: "locket data key v2 " ‖ u32 ‖ lookup ‖ u32 ‖ ns id ‖ 3 × i64 ‖ u8 ‖ i64.
        let namespace = LookupHash.hash([0x6e] + field(ns), key: index)
        let context = Array("locket data key v2 ".utf8) + u32(lookup.count) + lookup + u32(namespace.count) + namespace
            + [UInt8](repeating: 1, count: 3 * 8) + [0] + [UInt8](repeating: 0, count: 8)
        let dataKey = SecureRandom.bytes(AEAD.keyBytes)
        let wrapped = dataKey.withUnsafeBytes { KeyWrap.wrap($0, under: wrap, context: context) }
        let payload = field(ns) + field(key) + value
        let sealed = payload.withUnsafeBytes { p in
            dataKey.withUnsafeBytes { k in lookup.withUnsafeBytes { AEAD.seal(p, key: k, associatedData: $0) } }
        }
        precondition(message.count == 18 && context.count == 124 && wrapped.count == 72 && sealed.count == 257,
                     "crypto floor: sizes differ from the daemon's")

        /// One get's crypto; the payload's length (checked once against the payload itself).
        func oneGet(_ check: Bool = false) -> Int {
            let id = LookupHash.hash(message, key: index)
            do {
                var plain = try KeyWrap.withUnwrapped(wrapped, under: wrap, context: context) { (dataKey) throws(CryptoError) in
                    try sealed.withBytes { (box) throws(CryptoError) in
                        try id.withBytes { (ad) throws(CryptoError) in
                            try AEAD.open(box, key: dataKey, associatedData: ad)
                        }
                    }
                }
                defer { secureZero(&plain) }
                if check && (id != lookup || plain != payload) { fatal("crypto floor: the record opened to other bytes") }
                return plain.count
            } catch {
                fatal("crypto floor: the record did not open")
            }
        }
        _ = oneGet(true)
        var opened = 0
        let perBatch = (0..<batches).map { _ in
            cpuNanoseconds(perRound: getsPerBatch) { opened += oneGet() }
        }
        if opened != batches * getsPerBatch * payload.count { fatal("crypto floor: a record opened short") }
        return perBatch
    }

    /// For context, not part of the floor: the audit log's crypto per `get` (locketd keeps
    /// the log by default and records every `get`, on its audit writer thread): the key
    /// name's hash (`AuditKeys.keyHash`: keyed BLAKE2b of `"a" ‖ key`), one AEAD seal of
    /// the record's JSON (random nonce, XChaCha20-Poly1305; associated data
    /// `"locket audit v1" ‖ segment id ‖ u64 sequence`, 39 bytes), and the chain fold
    /// (BLAKE2b of the previous 32-byte chain value ‖ the record's frame), with the few
    /// appends that assemble the bytes around them, as the writer makes them. The record
    /// is the size locketd writes for this harness's `get`s (its exe path, pid and uid).
    static func audit(batches: Int, recordsPerBatch: Int) -> [Double] {
        guard let hashKey = try? SecureKey.random(protection: .readableWhileHeld) else {
            fatal("crypto floor: no guarded memory for the keys")
        }
        let segmentKey = SecureRandom.bytes(AEAD.keyBytes)
        let chainKey = Array("locket audit chain v2".utf8) + [UInt8](repeating: 0, count: 11)
        let exe = selfPath() ?? "/usr/bin/locket-bench"
        let record = Array(#"{"t":1765000000000,"op":"get","ns":"bench","kh":"\#(String(repeating: "0", count: 32))","out":"ok","exe":"\#(exe)","pid":\#(getpid()),"uid":\#(getuid())}"#.utf8)
        let keyName = [0x61] + Array("v200".utf8)
        var ad = Array("locket audit v1".utf8) + SecureRandom.bytes(16)
        var chain = [UInt8](repeating: 0, count: 32)
        var sequence: UInt64 = 1
        return (0..<batches).map { _ in
            cpuNanoseconds(perRound: recordsPerBatch) {
                let digest = hashKey.withUnsafeBytes { LookupHash.hash(keyName, rawKey: $0) }
                ad.removeLast(ad.count - 31)
                ad += u64(sequence)
                sequence += 1
                let body = u64(sequence) + record.withUnsafeBytes { plain in
                    segmentKey.withUnsafeBytes { k in ad.withUnsafeBytes { AEAD.seal(plain, key: k, associatedData: $0) } }
                }
                let frame = [2] + u32(body.count) + body
                chain = chainKey.withUnsafeBytes { LookupHash.hash(chain + frame, rawKey: $0) }
                chain[0] ^= digest[0]
            }
        }
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Runs `body` `rounds` times; this thread's CPU nanoseconds per round.
    private static func cpuNanoseconds(perRound rounds: Int, _ body: () -> Void) -> Double {
        let start = threadCPU()
        for _ in 0..<rounds { body() }
        return Double(threadCPU() - start) / Double(rounds)
    }

    private static func threadCPU() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// This executable's path (what locketd reads from `/proc/PID/exe` for the record's `exe`).
    private static func selfPath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }

    /// A length-prefixed field, as `Records` encodes names.
    private static func field(_ bytes: [UInt8]) -> [UInt8] { u32(bytes.count) + bytes }

    private static func u32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }

    private static func u64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64($0 * 8)) } }
}
