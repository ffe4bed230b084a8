// What the daemon gives back when it goes quiet (MemoryTrim): the read
// connections' page caches, which fill under random gets over many entries.
import Foundation
import LocketStore
import Testing

@Suite("release memory")
struct ReleaseMemoryTests {
    @Test("after gets over 3,000 entries the readers cache pages; releaseMemory empties the cache; gets still answer")
    func readersGiveBackTheirCache() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            let value = [UInt8](repeating: 0x61, count: 200)
            for index in 0..<3000 { _ = try vault.put(ns: "scale", key: "e\(index)", value: value) }
            for index in stride(from: 0, to: 3000, by: 7) { _ = try vault.get(ns: "scale", key: "e\(index)") }
            let filled = vault.readCacheBytes
            #expect(filled > 256 * 1024, "the readers cache only \(filled) bytes after 429 random gets")
            vault.releaseMemory()
            let released = vault.readCacheBytes
            #expect(released < filled / 4, "\(released) of \(filled) cache bytes still held after releaseMemory")
            #expect(try vault.get(ns: "scale", key: "e2999").value == value)
            print("release memory: idle readers cached \(filled) bytes, \(released) after releaseMemory")
        }
    }
}
