// Issue 18: a read session's row cache answers repeated gets of an entry
// without SQLite, and never answers what a read from disk would not: a commit,
// a lock, a rotation or the clock passing an expiry each take effect on the
// next get (real vault on disk, manual clock).
import Foundation
@testable import LocketStore
import LocketTestSupport
import Testing

@Suite("Row cache")
struct RowCacheTests {
    @Test("a repeated get comes from the cache (no SQLite read) with the same entry; a miss goes to SQLite")
    func repeatedGetIsAHit() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "session", value: bytes(#"{"idToken":"eyJ.a"}"#))
            let session = vault.makeReadSession()
            defer { session.close() }
            let first = try session.get(ns: "app", key: "session", alone: true)
            #expect(session.queries == 1 && session.cacheHits == 0 && session.cachedRows == 1)
            for _ in 0..<10 { #expect(try session.get(ns: "app", key: "session") == first) }
            #expect(session.queries == 1, "a repeated get read SQLite")
            #expect(session.cacheHits == 10)
            #expect(!session.inTransaction, "a hit opened a transaction")
            // Another entry is a miss; a missing one is never kept.
            #expect(throws: StoreError.notFound) { try session.get(ns: "app", key: "absent") }
            #expect(throws: StoreError.notFound) { try session.get(ns: "app", key: "absent") }
            #expect(session.queries == 3 && session.cachedRows == 1)
        }
    }

    @Test("each commit (put, delete, a put of another entry) makes the next get read SQLite and see it")
    func commitsEmptyTheCache() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "k", value: bytes("1"))
            let session = vault.makeReadSession()
            defer { session.close() }
            #expect(try session.get(ns: "app", key: "k").value == bytes("1"))
            #expect(try session.get(ns: "app", key: "k").value == bytes("1"))
            #expect(session.cacheHits == 1)
            _ = try vault.put(ns: "app", key: "k", value: bytes("2"))
            let after = try session.get(ns: "app", key: "k")
            #expect(after.value == bytes("2") && after.version == 2, "a cached row outlived the put that replaced it")
            _ = try vault.put(ns: "app", key: "other", value: bytes("x"))
            let queries = session.queries
            #expect(try session.get(ns: "app", key: "k").value == bytes("2"))
            #expect(session.queries == queries + 1, "a commit to another entry left the cache in use")
            #expect(try vault.delete(ns: "app", key: "k"))
            #expect(throws: StoreError.notFound) { try session.get(ns: "app", key: "k") }
            #expect(session.cachedRows == 0)
        }
    }

    @Test("a cached row is checked for expiry on every hit: once the clock passes it, notFound without any commit")
    func expiryOfACachedRow() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "k", value: bytes("1"), ttl: 60)
            let session = vault.makeReadSession()
            defer { session.close() }
            #expect(try session.get(ns: "app", key: "k").value == bytes("1"))
            harness.clock.advance(by: 59)
            #expect(try session.get(ns: "app", key: "k").value == bytes("1"))
            #expect(session.cacheHits == 1)
            harness.clock.advance(by: 1)
            #expect(throws: StoreError.notFound) { try session.get(ns: "app", key: "k") }
            #expect(session.cacheHits == 2, "the expiry was judged on a row from SQLite, not the cached one")
        }
    }

    @Test("locking the vault: gets answer locked; after unlock the cache starts over under the new keys")
    func lockAndUnlock() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "k", value: bytes("1"))
            let session = vault.makeReadSession()
            defer { session.close() }
            #expect(try session.get(ns: "app", key: "k").value == bytes("1"))
            vault.lock()
            #expect(throws: StoreError.locked(.requested)) { try session.get(ns: "app", key: "k") }
            try vault.unlock()
            let queries = session.queries
            #expect(try session.get(ns: "app", key: "k").value == bytes("1"))
            #expect(session.queries == queries + 1, "a row cached under the old keys was used after unlock")
        }
    }

    @Test("a rotation empties the cache: rows cached before it are not opened with the new keys")
    func rotation() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            for index in 0..<4 { _ = try vault.put(ns: "app", key: "k\(index)", value: bytes("\(index)")) }
            let session = vault.makeReadSession()
            defer { session.close() }
            for index in 0..<4 { #expect(try session.get(ns: "app", key: "k\(index)").value == bytes("\(index)")) }
            #expect(session.cachedRows == 4)
            #expect(try vault.rotateMasterKey() == 4)
            let queries = session.queries
            for index in 0..<4 { #expect(try session.get(ns: "app", key: "k\(index)").value == bytes("\(index)")) }
            #expect(session.queries == queries + 4)
        }
    }

    @Test("bounded: at most 32 rows and 64 KiB; the oldest leaves first; a row over 16 KiB is not kept")
    func bounded() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            for index in 0..<40 { _ = try vault.put(ns: "app", key: "k\(index)", value: bytes("\(index)")) }
            _ = try vault.put(ns: "app", key: "big", value: jsonString(ofSize: 20_000))
            for index in 0..<6 { _ = try vault.put(ns: "app", key: "mid\(index)", value: jsonString(ofSize: 12_000)) }
            let session = vault.makeReadSession()
            defer { session.close() }
            for index in 0..<40 { _ = try session.get(ns: "app", key: "k\(index)") }
            #expect(session.cachedRows == 32)
            // k0…k7 left first: reading them again goes to SQLite; k39 is still held.
            var queries = session.queries
            _ = try session.get(ns: "app", key: "k39")
            #expect(session.queries == queries)
            _ = try session.get(ns: "app", key: "k0")
            #expect(session.queries == queries + 1)
            _ = try session.get(ns: "app", key: "big")
            _ = try session.get(ns: "app", key: "big")
            queries = session.queries
            _ = try session.get(ns: "app", key: "big")
            #expect(session.queries == queries + 1, "a 20 KB row was kept")
            // Six rows of 12 KB: only five fit in 64 KiB beside the small ones.
            for index in 0..<6 { _ = try session.get(ns: "app", key: "mid\(index)") }
            #expect(session.cachedRows <= 32)
            #expect(session.cachedRowBytes <= 64 * 1024)
            queries = session.queries
            _ = try session.get(ns: "app", key: "mid5")
            #expect(session.queries == queries, "the newest row was not kept")
        }
    }

    @Test("releaseMemory and close empty it; with the cache off every get reads SQLite")
    func emptiedAndOff() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "k", value: bytes("1"))
            let session = vault.makeReadSession()
            _ = try session.get(ns: "app", key: "k")
            #expect(session.cachedRows == 1)
            session.releaseMemory()
            #expect(session.cachedRows == 0)
            _ = try session.get(ns: "app", key: "k")
            session.close()
            #expect(session.cachedRows == 0)
            let off = vault.makeReadSession(cache: .none)
            defer { off.close() }
            for _ in 0..<5 { #expect(try off.get(ns: "app", key: "k").value == bytes("1")) }
            #expect(off.queries == 5 && off.cacheHits == 0 && off.cachedRows == 0)
        }
    }
}

@Suite("Row cache and Unicode names")
struct RowCacheUnicodeTests {
    @Test("canonically equivalent keys are two entries in the cache too: each get answers its own value")
    func canonicalEquivalentsAreDistinct() throws {
        let harness = VaultHarness()
        try harness.withVault { vault in
            _ = try vault.put(ns: "app", key: "caf\u{E9}", value: bytes("1"))
            _ = try vault.put(ns: "app", key: "cafe\u{301}", value: bytes("2"))
            let session = vault.makeReadSession()
            defer { session.close() }
            for _ in 0..<3 {
                #expect(try session.get(ns: "app", key: "caf\u{E9}").value == bytes("1"))
                #expect(try session.get(ns: "app", key: "cafe\u{301}").value == bytes("2"))
            }
            #expect(session.cachedRows == 2 && session.cacheHits == 4)
        }
    }
}
