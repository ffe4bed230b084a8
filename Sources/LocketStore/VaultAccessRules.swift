#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto
import LocketKeyStore
import LocketSync

/// The access rules, sealed in the vault's `meta` table (row `access_rules`).
///
/// The record is JSON sealed with XChaCha20-Poly1305 under a sub-key of the
/// vault's index key (`SubkeyPurpose.accessRules`), with the vault id as
/// associated data. The index key is random per vault and stored only wrapped
/// under the master key, so, like the audit keys: only the master key's holder
/// can read or forge the rules, and a rotation (which re-wraps the index key)
/// keeps them readable with nothing to re-seal. Being in `meta`, not
/// `entries`, no name a client can send reaches them, and `list`, `status`,
/// export and the expiry sweep never see them.
///
/// Limit: the record can be deleted or replaced by an older sealed copy by
/// anyone who can write the database file; that is the vault's owner, who can
/// change the rules through the daemon anyway.
enum SealedAccessRules {
    static func associatedData(_ vault: VaultID) -> [UInt8] { Array("locket access rules v1 \(vault.hex)".utf8) }

    static func seal(_ rules: AccessRules, keys: VaultKeys, vault: VaultID) throws(StoreError) -> [UInt8] {
        let key = try subkey(keys)
        guard let json = try? JSONEncoder().encode(rules) else { throw .corrupt("the access rules could not be encoded") }
        return AEAD.seal(Array(json), key: key, associatedData: associatedData(vault))
    }

    static func open(_ sealed: [UInt8], keys: VaultKeys, vault: VaultID) throws(StoreError) -> AccessRules {
        let key = try subkey(keys)
        guard let plain = try? AEAD.open(sealed, key: key, associatedData: associatedData(vault)) else {
            throw .corrupt("the access rules did not authenticate")
        }
        guard let rules = try? JSONDecoder().decode(AccessRules.self, from: Data(plain)) else {
            throw .corrupt("the access rules are malformed")
        }
        return rules
    }

    private static func subkey(_ keys: VaultKeys) throws(StoreError) -> SecureKey {
        guard let key = try? KeyDerivation.derive(.accessRules, from: keys.index) else {
            throw .unavailable("the access rules key could not be derived (out of guarded memory)")
        }
        return key
    }

    static func read(_ connection: SQLiteConnection) throws(StoreError) -> [UInt8]? {
        do {
            let statement = try connection.statement("SELECT value FROM meta WHERE name = ?").bind(0, Schema.Meta.accessRules)
            defer { statement.reset() }
            return try statement.step() ? statement.blob(0) : nil
        } catch {
            throw StoreError(sqlite: error)
        }
    }
}

/// What the vault knows of its rules in memory: unknown (not read since the
/// last change or lock; `generation` orders a load against a change) or known.
struct AccessRulesCache {
    var generation: UInt64 = 0
    var rules: AccessRules?
}

extension Vault {
    /// The access rules if they are in memory (nil: locked, or not read yet).
    /// Never blocks; safe on an event loop.
    public var cachedAccessRules: AccessRules? {
        guard case .unlocked = state else { return nil }
        return rulesCache.withLock { $0.rules }
    }

    /// The access rules, read and opened if they are not in memory. Needs the vault unlocked.
    public func accessRules() throws(StoreError) -> AccessRules {
        let keys = try currentKeys()
        let (generation, cached) = rulesCache.withLock { ($0.generation, $0.rules) }
        if let cached { return cached }
        let sealed = try readers.read { (connection) throws(StoreError) in try SealedAccessRules.read(connection) }
        let rules = try sealed.map { (bytes) throws(StoreError) in try SealedAccessRules.open(bytes, keys: keys, vault: vaultID) } ?? AccessRules()
        rulesCache.withLock { cache in
            if cache.generation == generation, cache.rules == nil { cache.rules = rules }
        }
        return rules
    }

    /// Changes the rules in one durable write: `body` edits the current rules;
    /// if it returns `save: true` they are sealed and stored (the row is removed
    /// when no rule is left). Returns `body`'s result.
    public func changeAccessRules<R: Sendable>(_ body: @escaping @Sendable (inout AccessRules) -> (save: Bool, result: R)) throws(StoreError) -> R {
        let keys = try currentKeys()
        let vault = vaultID
        let result = try writer.perform { (connection) throws(StoreError) -> R in
            var rules = try SealedAccessRules.read(connection).map { (bytes) throws(StoreError) in
                try SealedAccessRules.open(bytes, keys: keys, vault: vault)
            } ?? AccessRules()
            let (save, result) = body(&rules)
            guard save else { return result }
            do {
                if rules.isEmpty {
                    try connection.statement("DELETE FROM meta WHERE name = ?").bind(0, Schema.Meta.accessRules).run()
                } else {
                    try connection.statement("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)")
                        .bind(0, Schema.Meta.accessRules).bind(1, try SealedAccessRules.seal(rules, keys: keys, vault: vault)).run()
                }
            } catch let error as SQLiteError {
                throw StoreError(sqlite: error)
            } catch {
                throw error as? StoreError ?? .corrupt("\(error)")
            }
            return result
        }
        forgetAccessRules()
        return result
    }

    /// Drops the rules from memory (the next check reads them again).
    func forgetAccessRules() {
        rulesCache.withLock { cache in
            cache.generation &+= 1
            cache.rules = nil
        }
    }
}
