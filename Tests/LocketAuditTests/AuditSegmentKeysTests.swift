// The reader's cache of opened segment keys (`AuditKeys.segmentKeys`): a
// second read of the same log opens no key, a sealed key changed after a first
// read is opened again and reported as before, and at most `capacity` keys stay.
import Foundation
@testable import LocketAudit
import LocketCrypto
import Testing

@Suite("Audit segment keys")
struct AuditSegmentKeysTests {
    /// A log of two segments (two writer runs), read back whole.
    static func twoSegments(_ name: String) throws -> AuditHarness {
        let harness = try AuditHarness(name)
        for run in 0..<2 {
            let log = harness.makeLog()
            for index in 0..<3 { log.record(AuditHarness.entry(run * 3 + index)) }
            log.stop()
        }
        return harness
    }

    @Test("a second read of the same log opens no segment key and reads the same")
    func secondReadOpensNoKey() throws {
        let harness = try Self.twoSegments("keys-hit")
        let first = harness.readStored()
        #expect(first.damage.isEmpty, "\(first.damage)")
        #expect(first.items.count == 6)
        #expect(harness.keys.segmentKeys.opens == 2)
        let second = harness.readStored()
        #expect(harness.keys.segmentKeys.opens == 2)
        #expect(second.damage.isEmpty, "\(second.damage)")
        #expect(second.items == first.items)
    }

    @Test("a sealed key changed after a first read is opened again and reported as a tampered header")
    func changedSealedKeyIsStillDamage() throws {
        let harness = try Self.twoSegments("keys-tamper")
        #expect(harness.readStored().damage.isEmpty)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: harness.path)))
        // The first header's sealed key: after the frame header, version, segment id and public key.
        let sealedAt = AuditFormat.frameHeaderBytes + 1 + AuditFormat.segmentIDBytes + SealedBox.publicKeyBytes
        #expect(bytes[0] == AuditFormat.headerType)
        bytes[sealedAt + 10] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: harness.path))
        let damage = harness.readStored().damage
        #expect(damage.contains { $0.contains("does not open (tampered header)") }, "\(damage)")
        #expect(harness.keys.segmentKeys.opens == 3)
        // Still reported on every read: a key that did not open is not kept.
        let again = harness.readStored().damage
        #expect(again.contains { $0.contains("does not open (tampered header)") }, "\(again)")
        #expect(harness.keys.segmentKeys.opens == 4)
    }

    @Test("at most `capacity` keys are kept; the oldest goes first")
    func boundHolds() throws {
        let cache = AuditSegmentKeys()
        let sealed = [UInt8](repeating: 7, count: 80)
        func id(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: 14) + [UInt8(n >> 8), UInt8(n & 0xff)] }
        func open() throws(CryptoError) -> SecureKey { try SecureKey.random(protection: .readableWhileHeld) }
        var kept: [SecureKey] = []
        for n in 0...AuditSegmentKeys.capacity {
            kept.append(try cache.key(segment: id(n), sealed: sealed, open: open))
        }
        #expect(cache.count == AuditSegmentKeys.capacity)
        #expect(cache.opens == AuditSegmentKeys.capacity + 1)
        // The newest is kept (the same key, no open); the oldest was dropped (opened again).
        let newest = try cache.key(segment: id(AuditSegmentKeys.capacity), sealed: sealed, open: open)
        #expect(newest === kept.last)
        #expect(cache.opens == AuditSegmentKeys.capacity + 1)
        _ = try cache.key(segment: id(0), sealed: sealed, open: open)
        #expect(cache.opens == AuditSegmentKeys.capacity + 2)
        #expect(cache.count == AuditSegmentKeys.capacity)
        // Same id, other sealed bytes: another key.
        _ = try cache.key(segment: id(0), sealed: [UInt8](repeating: 8, count: 80), open: open)
        #expect(cache.opens == AuditSegmentKeys.capacity + 3)
    }
}
