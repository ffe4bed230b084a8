// The audit engine on its own (no vault, no daemon): entries written by one
// writer and then another (a restart) read back whole and hashed, with the
// head checked; accesses while the keys are "locked" are hashed when read;
// a changed record, a cut tail and a removed head are damage; rotation stays
// under the cap and counts what it pushed out.
import Foundation
import LocketAudit
import Testing

@Suite("Audit engine")
struct AuditEngineTests {
    @Test("two runs of the writer read back every entry, key names hashed, no damage, head stored")
    func restartReadsBackWhole() throws {
        let harness = try AuditHarness("restart")
        let first = harness.makeLog()
        // Key names long enough that ciphertext never holds one by chance (a 2-byte "k3"
        // turned up in the sealed file about once in 20 runs and failed a CI run).
        for index in 0..<5 { first.record(AuditHarness.entry(index, key: "refresh-token-\(index)")) }
        first.stop()
        let second = harness.makeLog()
        for index in 5..<8 { second.record(AuditHarness.entry(index, key: "refresh-token-\(index)")) }
        second.stop()
        #expect(harness.head != nil)
        let readout = harness.readStored()
        #expect(readout.damage.isEmpty, "\(readout.damage)")
        #expect(readout.items.map(\.time) == (0..<8).map { 1_790_000_000_000 + Int64($0) })
        #expect(readout.items.allSatisfy { $0.keyHash?.count == 32 })
        let bytes = try Data(contentsOf: URL(fileURLWithPath: harness.path))
        #expect(bytes.range(of: Data("refresh-token-3".utf8)) == nil && bytes.range(of: Data("/usr/bin/app".utf8)) == nil)
    }

    @Test("entries written without the hash key (locked) are hashed when read, the same as the others")
    func lockedEntriesHashedOnRead() throws {
        let harness = try AuditHarness("locked")
        harness.isLocked = true
        let log = harness.makeLog()
        log.record(AuditHarness.entry(0, key: "alice"))
        log.flush()
        harness.isLocked = false
        log.record(AuditHarness.entry(1, key: "alice"))
        let readout = log.snapshot().read(keys: harness.keys, query: AuditQuery())
        log.stop()
        #expect(readout.damage.isEmpty, "\(readout.damage)")
        #expect(readout.items.count == 2)
        #expect(readout.items[0].keyHash != nil && readout.items[0].keyHash == readout.items[1].keyHash)
    }

    @Test("a changed record, a cut tail and a removed head are each reported")
    func tamperingIsDamage() throws {
        let harness = try AuditHarness("tamper")
        let log = harness.makeLog()
        for index in 0..<4 { log.record(AuditHarness.entry(index)) }
        log.stop()
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: harness.path)))
        #expect(harness.readStored().damage.isEmpty)

        var changed = original
        changed[changed.count - 1] ^= 1
        try Data(changed).write(to: URL(fileURLWithPath: harness.path))
        let afterChange = harness.readStored().damage
        #expect(afterChange.contains { $0.contains("does not authenticate") }, "\(afterChange)")

        // The last record is a whole frame: drop it.
        try Data(original[..<lastFrameOffset(original)]).write(to: URL(fileURLWithPath: harness.path))
        let afterCut = harness.readStored()
        #expect(afterCut.items.count == 3)
        #expect(afterCut.damage.contains { $0.contains("missing at the end") }, "\(afterCut.damage)")

        try Data(original).write(to: URL(fileURLWithPath: harness.path))
        harness.head = nil
        let withoutHead = harness.readStored().damage
        #expect(withoutHead.contains { $0.contains("no audit head") }, "\(withoutHead)")
    }

    @Test("rotation keeps each file under the cap and counts the records it pushed out, refused ones too")
    func rotationIsCounted() throws {
        let harness = try AuditHarness("rotate")
        let log = harness.makeLog(maxBytes: 4096)
        let total = 300
        for index in 0..<total {
            log.record(AuditHarness.entry(index, outcome: index % 3 == 0 ? "forbidden" : "ok"))
            if index % 50 == 49 { log.flush() }
        }
        log.stop()
        for name in [harness.path, harness.path + ".1"] {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: name)[.size] as? Int)
            #expect(size <= 4096, "\(name): \(size) bytes")
        }
        let readout = harness.readStored()
        #expect(readout.damage.isEmpty, "\(readout.damage)")
        let rotated = try #require(readout.rotated)
        #expect(rotated.records > 0 && rotated.refused > 0 && rotated.refused < rotated.records)
        #expect(readout.items.count + rotated.records == total)
        #expect(readout.items.last?.time == 1_790_000_000_000 + Int64(total - 1))
    }
}

/// Where the last frame of an audit file starts (frames: type, u32 LE length, body).
func lastFrameOffset(_ bytes: [UInt8]) -> Int {
    var offset = 0
    var last = 0
    while offset + 5 <= bytes.count {
        last = offset
        let length = (1...4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * ($1 - 1)) }
        offset += 5 + length
    }
    return last
}
