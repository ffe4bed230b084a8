// Protocol v1, "Guarantees": no value is ever written to disk unencrypted, and
// `ns` and `key` names are not stored in plain text on disk either.
import Foundation
import LocketStore
import Testing

@Suite("No plaintext on disk")
struct PlaintextTests {
    /// Markers for names and values, unique per test run.
    struct Markers {
        let ns = "lkns\(UUID().uuidString)"
        let key = "lkkey\(UUID().uuidString)"
        let value = "lkval\(UUID().uuidString)"

        var all: [String] { [ns, key, value] }
    }

    static func fill(_ vault: Vault, _ markers: Markers) throws {
        _ = try vault.put(ns: markers.ns, key: markers.key, value: bytes("{\"token\":\"\(markers.value)\"}"))
        // More entries sharing the markers, a large value (overflow pages), an update, and a delete.
        let big = "\"" + String(repeating: markers.value, count: 4096) + "\""
        _ = try vault.put(ns: markers.ns, key: markers.key + "-big", value: bytes(big))
        _ = try vault.put(ns: markers.ns, key: markers.key, value: bytes("[\"\(markers.value)\",2]"))
        _ = try vault.put(ns: markers.ns, key: markers.key + "-gone", value: bytes("\"\(markers.value)\""))
        _ = try vault.delete(ns: markers.ns, key: markers.key + "-gone")
        for index in 0..<50 {
            _ = try vault.put(ns: "\(markers.ns)-\(index)", key: "\(markers.key)-\(index)",
                              value: bytes("{\"v\":\"\(markers.value)-\(index)\"}"), ttl: 3600)
        }
    }

    /// Which markers occur in which files of the data folder.
    static func leaks(_ harness: VaultHarness, _ markers: Markers) -> [String] {
        var found: [String] = []
        for (name, contents) in Files.snapshot(harness.dataDirectory) {
            for (label, marker) in zip(["ns", "key", "value"], markers.all) where Files.contains(contents, bytes(marker)) {
                found.append("\(label) in \(name)")
            }
        }
        return found
    }

    @Test("names and values are absent from every file while the vault is open (WAL present)")
    func whileOpen() throws {
        let harness = VaultHarness()
        let markers = Markers()
        let vault = try harness.open()
        defer { vault.close() }
        try Self.fill(vault, markers)
        #expect(try vault.get(ns: markers.ns, key: markers.key).value == bytes("[\"\(markers.value)\",2]"))
        let files = Files.snapshot(harness.dataDirectory)
        #expect(files.keys.contains("vault.sqlite-wal"))
        #expect((files["vault.sqlite-wal"]?.bytes.count ?? 0) > 0)
        #expect(Self.leaks(harness, markers) == [])
    }

    @Test("names and values are absent from every file after close")
    func afterClose() throws {
        let harness = VaultHarness()
        let markers = Markers()
        try harness.withVault { (vault) throws in try Self.fill(vault, markers) }
        let files = Files.snapshot(harness.dataDirectory)
        #expect((files["vault.sqlite"]?.bytes.count ?? 0) > 64 * 1024) // the data is there, sealed
        #expect(Self.leaks(harness, markers) == [])
        // And the markers are really in the vault.
        try harness.withVault { (vault) throws in
            #expect(try vault.list(ns: markers.ns).items.map(\.key) == [markers.key, markers.key + "-big"])
        }
    }

    @Test("after rotation and expiry sweeps, still no plaintext on disk")
    func afterRotationAndSweep() throws {
        let harness = VaultHarness()
        let markers = Markers()
        try harness.withVault { (vault) throws in
            try Self.fill(vault, markers)
            try vault.rotateMasterKey()
            harness.clock.advance(by: 7200)
            #expect(try vault.sweepExpired().removed == 50)
        }
        #expect(Self.leaks(harness, markers) == [])
    }

    @Test("the detector itself finds a marker written in the clear")
    func detectorWorks() throws {
        // Guards the tests above against passing because the search is broken.
        let harness = VaultHarness()
        let markers = Markers()
        try harness.withVault { (vault) throws in try Self.fill(vault, markers) }
        try Files.writePrivate("\(harness.dataDirectory)/canary", Blob(bytes("xx\(markers.key)yy")))
        #expect(Self.leaks(harness, markers) == ["key in canary"])
    }
}
