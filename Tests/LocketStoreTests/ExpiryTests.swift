// Protocol v1: an entry whose `expires_at` has passed is absent for every op
// (`not_found` for get, `deleted:false` for delete, missing from list) and is
// removed from disk soon after, and at the latest at the next start.
import Foundation
import LocketStore
import Testing

@Suite("Expiry (manual clock)")
struct ExpiryTests {
    @Test("get works before expiry and is not_found at and after expiry")
    func getAroundExpiry() throws {
        let harness = VaultHarness()
        let t0 = harness.clock.now
        try harness.withVault { (vault) throws in
            let put = try vault.put(ns: "app", key: "session", value: bytes("{}"), ttl: 60)
            #expect(put.expiresAt == t0.addingTimeInterval(60))
            harness.clock.advance(by: 59)
            let entry = try vault.get(ns: "app", key: "session")
            #expect(entry.expiresAt == t0.addingTimeInterval(60))
            harness.clock.advance(by: 1) // exactly at expires_at
            #expect(throws: StoreError.notFound) { try vault.get(ns: "app", key: "session") }
            harness.clock.advance(by: 3600)
            #expect(throws: StoreError.notFound) { try vault.get(ns: "app", key: "session") }
        }
    }

    @Test("delete of an expired entry answers false")
    func deleteExpired() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "session", value: bytes("1"), ttl: 10)
            harness.clock.advance(by: 10)
            #expect(try vault.delete(ns: "app", key: "session") == false)
            #expect(throws: StoreError.conflict(current: nil)) { try vault.delete(ns: "app", key: "session", ifVersion: 1) }
        }
    }

    @Test("list and count omit expired entries")
    func listAndCountOmitExpired() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "short", value: bytes("1"), ttl: 10)
            _ = try vault.put(ns: "app", key: "long", value: bytes("2"), ttl: 1000)
            _ = try vault.put(ns: "app", key: "forever", value: bytes("3"))
            #expect(try vault.count() == 3)
            #expect(try vault.list(ns: "app").items.map(\.key) == ["forever", "long", "short"])
            harness.clock.advance(by: 10)
            #expect(try vault.count() == 2)
            #expect(try vault.list(ns: "app").items.map(\.key) == ["forever", "long"])
            #expect(try vault.list().items.map(\.key) == ["forever", "long"])
            // Still on disk until a sweep: the omission is logical.
            #expect(try RawSQLite.entryRows(harness.databasePath) == 3)
        }
    }

    @Test("put over an expired entry creates it afresh at version 1")
    func putOverExpired() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "session", value: bytes("1"), ttl: 10)
            _ = try vault.put(ns: "app", key: "session", value: bytes("2"), ttl: 10)
            harness.clock.advance(by: 20)
            #expect(throws: StoreError.conflict(current: nil)) {
                try vault.put(ns: "app", key: "session", value: bytes("3"), ifVersion: 2)
            }
            let result = try vault.put(ns: "app", key: "session", value: bytes("3"), ifVersion: 0)
            #expect(result.fields == Put(created: true, version: 1, expiresAt: nil))
            let entry = try vault.get(ns: "app", key: "session")
            #expect(entry.value == bytes("3"))
            #expect(entry.createdAt == harness.clock.now)
            #expect(entry.expiresAt == nil)
        }
    }

    @Test("sweepExpired removes expired rows from disk and returns the next expiry")
    func sweep() throws {
        let harness = VaultHarness()
        let t0 = harness.clock.now
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "a", value: bytes("1"), ttl: 10)
            _ = try vault.put(ns: "app", key: "b", value: bytes("1"), ttl: 10)
            _ = try vault.put(ns: "app", key: "c", value: bytes("1"), ttl: 20)
            _ = try vault.put(ns: "app", key: "d", value: bytes("1"))
            let early = try vault.sweepExpired()
            #expect(early.removed == 0)
            #expect(early.nextExpiry == t0.addingTimeInterval(10))

            harness.clock.advance(by: 15)
            #expect(try RawSQLite.entryRows(harness.databasePath) == 4)
            let swept = try vault.sweepExpired()
            #expect(swept.removed == 2)
            #expect(swept.nextExpiry == t0.addingTimeInterval(20))
            #expect(try RawSQLite.entryRows(harness.databasePath) == 2)

            harness.clock.advance(by: 5)
            let last = try vault.sweepExpired()
            #expect(last.removed == 1)
            #expect(last.nextExpiry == nil)
            #expect(try RawSQLite.entryRows(harness.databasePath) == 1)
            #expect(try vault.get(ns: "app", key: "d").value == bytes("1"))
        }
    }

    @Test("nextExpiry is the soonest live expiry, nil when none expires")
    func nextExpiry() throws {
        let harness = VaultHarness()
        let t0 = harness.clock.now
        try harness.withVault { (vault) throws in
            #expect(try vault.nextExpiry() == nil)
            _ = try vault.put(ns: "app", key: "forever", value: bytes("1"))
            #expect(try vault.nextExpiry() == nil)
            _ = try vault.put(ns: "app", key: "late", value: bytes("1"), ttl: 300)
            #expect(try vault.nextExpiry() == t0.addingTimeInterval(300))
            _ = try vault.put(ns: "other", key: "soon", value: bytes("1"), ttl: 30)
            #expect(try vault.nextExpiry() == t0.addingTimeInterval(30))
            harness.clock.advance(by: 30) // "soon" has expired, not yet swept
            #expect(try vault.nextExpiry() == t0.addingTimeInterval(300))
            // A put that shortens an entry's ttl moves the next expiry.
            _ = try vault.put(ns: "app", key: "late", value: bytes("2"), ttl: 5)
            #expect(try vault.nextExpiry() == t0.addingTimeInterval(35))
            _ = try vault.delete(ns: "app", key: "late")
            #expect(try vault.nextExpiry() == nil)
        }
    }

    @Test("reopening the vault after expiry removes expired rows from disk")
    func reopenSweeps() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "expiring", value: bytes("1"), ttl: 5)
            _ = try vault.put(ns: "app", key: "kept", value: bytes("2"), ttl: 500)
        }
        harness.clock.advance(by: 6)
        #expect(try RawSQLite.entryRows(harness.databasePath) == 2)
        try harness.withVault { (vault) throws in
            #expect(vault.state == .unlocked)
            #expect(try RawSQLite.entryRows(harness.databasePath) == 1)
            #expect(try vault.get(ns: "app", key: "kept").value == bytes("2"))
        }
        #expect(try RawSQLite.entryRows(harness.databasePath) == 1)
    }
}
