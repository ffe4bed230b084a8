import FuzzSupport
import Foundation
import LocketCrypto
@testable import LocketAudit

/// The audit log reader (`AuditSnapshot.read`, the engine's verifier: files
/// another program can edit, and the head the vault keeps). The input is a
/// recipe (`AuditLogRecipe`) building one or two files of chained segments
/// sealed and linked for real under this process's audit keys, mixed with raw
/// bytes, gaps, cuts and wrong links, and a sealed head. No vault, no disk.
/// Checked: nothing crashes, no item carries a key name (they leave the reader
/// hashed), at most `limit` items; and a log as an honest writer leaves it
/// (chained from genesis, in-order records of valid entries, its true head)
/// reads back every entry with no damage reported. One input in 64 (`differentialSample`) also
/// checks the reader's entry decoding against `JSONDecoder` (the same verdict and values).
package enum AuditLogTarget {
    nonisolated(unsafe) static var keys: AuditKeys?
    nonisolated(unsafe) static var pool: [AuditLogRecipe.Segment] = []
    /// The head key as plain bytes (as the writer derives it from the hash key).
    nonisolated(unsafe) static var headKey: [UInt8] = []

    package static func setUp() {
        guard let seed = try? SecureKey.random(), let (publicKey, secretKey) = try? SealedBox.keyPair(seed: seed),
              let hashKey = try? SecureKey.random(protection: .readableWhileHeld) else {
            fatalError("fuzz set-up: no audit keys (out of guarded memory?)")
        }
        keys = AuditKeys(publicKey: publicKey, secretKey: secretKey, hashKey: hashKey)
        headKey = hashKey.withUnsafeBytes { AuditHead.key(hashKey: $0) }
        // Four segments, their keys sealed once (sealing costs far more than the rest of an input).
        pool = (0..<4).map { n in
            let key = SecureRandom.bytes(AEAD.keyBytes)
            guard let sealed = key.withUnsafeBytes({ try? SealedBox.seal($0, to: publicKey) }) else {
                fatalError("fuzz set-up: cannot seal a segment key")
            }
            return AuditLogRecipe.Segment(id: [UInt8](repeating: 0x50 + UInt8(n), count: AuditFormat.segmentIDBytes),
                                          key: key, sealed: sealed)
        }
    }

    /// Whether this input also runs the decoding differential: one in 64, spread over the corpus
    /// (FNV-1a of the length and the first and last 8 bytes; the same input always gives the same answer).
    static func differentialSample(_ input: UnsafeRawBufferPointer) -> Bool {
        var hash: UInt32 = 2_166_136_261 ^ UInt32(truncatingIfNeeded: input.count)
        let count = input.count
        for i in 0..<min(8, count) { hash = (hash ^ UInt32(input[i])) &* 16_777_619 }
        for i in max(0, count - 8)..<count { hash = (hash ^ UInt32(input[i])) &* 16_777_619 }
        return hash >> 26 == 0
    }

    package static func run(_ input: UnsafeRawBufferPointer) {
        guard let keys else { return }
        let recipe = AuditLogRecipe(input, pool: pool, publicKey: keys.publicKey, headKey: headKey)
        let limit = 1 + (input.first.map(Int.init) ?? 0) % 64
        let readout = AuditSnapshot(files: recipe.files, head: recipe.head).read(keys: keys, query: AuditQuery(limit: limit))
        guard readout.items.count <= limit else { Invariant.fail("audit-log: more items than the limit") }
        guard readout.items.allSatisfy({ $0.key == nil }) else { Invariant.fail("audit-log: a key name leaves the reader") }
        // Differential, on one input in 64 (by a hash of the input: the first byte, as the corpus
        // grew, was 0 in half the inputs): the reader's entry decoding (`AuditEntry.decode(json:)`)
        // gives JSONDecoder's verdict and values.
        if differentialSample(input) {
            let decoder = JSONDecoder()
            for plain in recipe.plains {
                let ours = plain.withUnsafeBytes { AuditEntry.decode(json: $0) }
                let reference = try? decoder.decode(AuditEntry.self, from: Data(plain))
                guard (ours == nil) == (reference == nil), ours == reference, ours?.json() == reference?.json() else {
                    Invariant.fail("audit-log: the reader's entry decoding differs from JSONDecoder's")
                }
            }
        }
        var clean = recipe.clean
        // Whether every record holds a valid entry is asked only when the readout suggests otherwise.
        if clean, !readout.damage.isEmpty || readout.items.count != min(recipe.records, limit) {
            let decoder = JSONDecoder()
            clean = recipe.plains.allSatisfy { (try? decoder.decode(AuditEntry.self, from: Data($0))) != nil }
        }
        if clean {
            guard readout.damage.isEmpty else { Invariant.fail("audit-log: damage reported in a well-formed log: \(readout.damage)") }
            guard readout.items.count == min(recipe.records, limit) else {
                Invariant.fail("audit-log: a well-formed log does not read back every record")
            }
        }
    }
}
