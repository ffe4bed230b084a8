// Protocol v1, "Versions (compare-and-swap)": version 1 when created, +1 on
// every put; `if_version: N` succeeds only when the live entry's version is N
// (0: only if absent), otherwise nothing changes and the answer is `conflict`.
import Foundation
import LocketStore
import Testing

@Suite("Versions and compare-and-swap")
struct VersionTests {
    @Test("the first put creates version 1, the next put is version 2 (created false)")
    func versionsCount() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            let first = try vault.put(ns: "app", key: "user", value: bytes("1"))
            #expect(first.fields == Put(created: true, version: 1, expiresAt: nil))
            let second = try vault.put(ns: "app", key: "user", value: bytes("2"))
            #expect(second.fields == Put(created: false, version: 2, expiresAt: nil))
            let third = try vault.put(ns: "app", key: "user", value: bytes("3"))
            #expect(third.version == 3)
            let entry = try vault.get(ns: "app", key: "user")
            #expect(entry.version == 3)
            #expect(entry.value == bytes("3"))
        }
    }

    @Test("created_at is kept across puts and updated_at moves")
    func timestamps() throws {
        let harness = VaultHarness()
        let t0 = harness.clock.now
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "user", value: bytes("1"))
            var entry = try vault.get(ns: "app", key: "user")
            #expect(entry.createdAt == t0)
            #expect(entry.updatedAt == t0)
            harness.clock.advance(by: 90)
            _ = try vault.put(ns: "app", key: "user", value: bytes("2"))
            entry = try vault.get(ns: "app", key: "user")
            #expect(entry.createdAt == t0)
            #expect(entry.updatedAt == t0.addingTimeInterval(90))
            let info = try #require(vault.list(ns: "app").items.first)
            #expect(info.createdAt == t0)
            #expect(info.updatedAt == t0.addingTimeInterval(90))
        }
    }

    @Test("put with a matching if_version succeeds")
    func casMatch() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "token", value: bytes("\"a\""))
            let result = try vault.put(ns: "app", key: "token", value: bytes("\"b\""), ifVersion: 1)
            #expect(result.fields == Put(created: false, version: 2, expiresAt: nil))
            #expect(try vault.get(ns: "app", key: "token").value == bytes("\"b\""))
        }
    }

    @Test("put with a mismatching if_version is a conflict and changes nothing")
    func casMismatch() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "token", value: bytes("\"a\""), ttl: 600)
            _ = try vault.put(ns: "app", key: "token", value: bytes("\"b\""), ttl: 600)
            let before = try vault.get(ns: "app", key: "token")
            harness.clock.advance(by: 5)
            for stale in [1, 3, 0, 99] {
                #expect(throws: StoreError.conflict(current: 2)) {
                    try vault.put(ns: "app", key: "token", value: bytes("\"revoked\""), ttl: 9_999, ifVersion: stale)
                }
            }
            let after = try vault.get(ns: "app", key: "token")
            #expect(after == before)
        }
    }

    @Test("if_version 0 succeeds only when the entry is absent")
    func casAbsent() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            #expect(throws: StoreError.conflict(current: nil)) {
                try vault.put(ns: "app", key: "new", value: bytes("1"), ifVersion: 1)
            }
            let created = try vault.put(ns: "app", key: "new", value: bytes("1"), ifVersion: 0)
            #expect(created.fields == Put(created: true, version: 1, expiresAt: nil))
            #expect(throws: StoreError.conflict(current: 1)) {
                try vault.put(ns: "app", key: "new", value: bytes("2"), ifVersion: 0)
            }
            #expect(try vault.get(ns: "app", key: "new").value == bytes("1"))
        }
    }

    @Test("delete with a mismatching if_version is a conflict and the entry is kept")
    func deleteMismatch() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "token", value: bytes("1"))
            _ = try vault.put(ns: "app", key: "token", value: bytes("2"))
            #expect(throws: StoreError.conflict(current: 2)) { try vault.delete(ns: "app", key: "token", ifVersion: 1) }
            #expect(throws: StoreError.conflict(current: 2)) { try vault.delete(ns: "app", key: "token", ifVersion: 0) }
            #expect(try vault.get(ns: "app", key: "token").version == 2)
            #expect(try vault.delete(ns: "app", key: "token", ifVersion: 2))
            #expect(throws: StoreError.notFound) { try vault.get(ns: "app", key: "token") }
        }
    }

    @Test("delete of an absent entry answers false; with if_version N > 0 it is a conflict")
    func deleteAbsent() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            #expect(try vault.delete(ns: "app", key: "never") == false)
            #expect(try vault.delete(ns: "app", key: "never", ifVersion: 0) == false)
            #expect(throws: StoreError.conflict(current: nil)) { try vault.delete(ns: "app", key: "never", ifVersion: 1) }
            _ = try vault.put(ns: "app", key: "once", value: bytes("1"))
            #expect(try vault.delete(ns: "app", key: "once"))
            #expect(try vault.delete(ns: "app", key: "once") == false)
        }
    }

    @Test("delete then put starts again at version 1 with a new created_at")
    func deleteThenPut() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "user", value: bytes("1"))
            _ = try vault.put(ns: "app", key: "user", value: bytes("2"))
            #expect(try vault.delete(ns: "app", key: "user"))
            harness.clock.advance(by: 10)
            let again = try vault.put(ns: "app", key: "user", value: bytes("3"))
            #expect(again.fields == Put(created: true, version: 1, expiresAt: nil))
            let entry = try vault.get(ns: "app", key: "user")
            #expect(entry.version == 1)
            #expect(entry.createdAt == harness.clock.now)
        }
    }

    @Test("versions are per entry and survive a reopen")
    func perEntryAndDurable() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            for _ in 0..<3 { _ = try vault.put(ns: "a", key: "x", value: bytes("1")) }
            _ = try vault.put(ns: "a", key: "y", value: bytes("1"))
            _ = try vault.put(ns: "b", key: "x", value: bytes("1"))
        }
        try harness.withVault { (vault) throws in
            #expect(try vault.get(ns: "a", key: "x").version == 3)
            #expect(try vault.get(ns: "a", key: "y").version == 1)
            #expect(try vault.get(ns: "b", key: "x").version == 1)
            #expect(try vault.put(ns: "a", key: "x", value: bytes("2"), ifVersion: 3).version == 4)
        }
    }
}
