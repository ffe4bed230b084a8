#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto
import LocketProtocol

extension Vault {
    /// The longest ttl accepted: the protocol's, 100 years in seconds.
    public static let maxTTL = ProtocolLimits.maxTTL

    /// Stores `value` under (`ns`, `key`). Blocks until the write is durable.
    ///
    /// - Parameters:
    ///   - ttl: seconds until the entry expires (> 0), or nil for never.
    ///   - ifVersion: compare-and-swap: succeed only if the live entry has this
    ///     version (0: only if there is no live entry); else `.conflict`.
    public func put(ns: String, key: String, value: [UInt8], ttl: Int? = nil, ifVersion: Int? = nil) throws(StoreError) -> PutResult {
        let job = try putJob(ns: ns, key: key, value: value, ttl: ttl, ifVersion: ifVersion)
        return try writer.perform(job)
    }

    /// `put` that returns at once and calls `completion` on the writer thread once durable.
    public func put(ns: String, key: String, value: [UInt8], ttl: Int? = nil, ifVersion: Int? = nil,
                    completion: @escaping @Sendable (Result<PutResult, StoreError>) -> Void) {
        do {
            let job = try putJob(ns: ns, key: key, value: value, ttl: ttl, ifVersion: ifVersion)
            writer.submit(GroupCommitWriter.job(job, completion: completion))
        } catch {
            completion(.failure(error))
        }
    }

    /// Async `put`.
    public func put(ns: String, key: String, value: [UInt8], ttl: Int? = nil, ifVersion: Int? = nil) async throws(StoreError) -> PutResult {
        let result = await withCheckedContinuation { continuation in
            put(ns: ns, key: key, value: value, ttl: ttl, ifVersion: ifVersion) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Removes the live entry under (`ns`, `key`); false when there was none.
    /// With `ifVersion`, removes only if the live entry has that version (else `.conflict`).
    public func delete(ns: String, key: String, ifVersion: Int? = nil) throws(StoreError) -> Bool {
        try writer.perform(try deleteJob(ns: ns, key: key, ifVersion: ifVersion))
    }

    /// `delete` that calls `completion` on the writer thread once durable.
    public func delete(ns: String, key: String, ifVersion: Int? = nil,
                       completion: @escaping @Sendable (Result<Bool, StoreError>) -> Void) {
        do {
            writer.submit(GroupCommitWriter.job(try deleteJob(ns: ns, key: key, ifVersion: ifVersion), completion: completion))
        } catch {
            completion(.failure(error))
        }
    }

    /// Async `delete`.
    public func delete(ns: String, key: String, ifVersion: Int? = nil) async throws(StoreError) -> Bool {
        let result = await withCheckedContinuation { continuation in
            delete(ns: ns, key: key, ifVersion: ifVersion) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Deletes every expired entry from disk; returns how many, and when the
    /// next live entry expires (nil: none does), so a caller can sleep until then.
    @discardableResult
    public func sweepExpired() throws(StoreError) -> (removed: Int, nextExpiry: Date?) {
        _ = try currentKeys()
        let now = Records.milliseconds(self.now)
        return try writer.perform { [writer] (connection) throws(StoreError) in
            do {
                try connection.statement("DELETE FROM entries WHERE expires_at <= ?").bind(0, now).run()
                let removed = connection.changes
                if removed > 0 { writer.requestScrub() }
                let next = try connection.statement("SELECT min(expires_at) FROM entries WHERE expires_at > ?").bind(0, now)
                defer { next.reset() }
                let nextMs = try next.step() ? next.int64OrNil(0) : nil
                return (removed, nextMs.map(Records.date))
            } catch {
                throw StoreError(sqlite: error)
            }
        }
    }

    // MARK: - Jobs

    /// Validates and seals on the caller's thread; the writer only wraps the
    /// data key (under the wrap key current at that moment), checks versions and writes.
    private func putJob(ns: String, key: String, value: [UInt8], ttl: Int?, ifVersion: Int?)
        throws(StoreError) -> (SQLiteConnection) throws(StoreError) -> PutResult {
        try Names.validate(ns, field: "ns")
        try Names.validate(key, field: "key")
        guard value.count <= configuration.maxValueBytes else {
            throw .valueTooLarge(size: value.count, limit: configuration.maxValueBytes)
        }
        if let ttl, ttl <= 0 || ttl > Vault.maxTTL { throw .invalidTTL }
        if let ifVersion, ifVersion < 0 { throw .conflict(current: nil) }
        let keys = try currentKeys()
        let lookup = Records.lookupID(ns: ns, key: key, keys: keys)
        let namespace = Records.namespaceID(ns, keys: keys)
        let dataKey = DataKey()
        var payload = Records.payload(ns: ns, key: key, value: value)
        let sealed = dataKey.bytes.withUnsafeBytes { k in
            payload.withUnsafeBytes { p in lookup.withUnsafeBytes { ad in AEAD.seal(p, key: k, associatedData: ad) } }
        }
        secureZero(&payload)
        let now = Records.milliseconds(self.now)
        let expires: Int64? = ttl.map { now + Int64($0) * 1000 }

        return { [self] (connection) throws(StoreError) in
            let writeKeys = try currentKeys()
            do {
                let existing = try connection.statement("SELECT version, created_at, expires_at, ns_id FROM entries WHERE lookup = ?").bind(0, lookup)
                var live: (version: Int, createdAt: Int64)? = nil
                var stored = false
                var storedNamespace: [UInt8] = []
                if try existing.step() {
                    stored = true
                    let expiresAt = existing.int64OrNil(2)
                    if expiresAt.map({ $0 > now }) ?? true { live = (Int(existing.int64(0)), existing.int64(1)) }
                    storedNamespace = existing.blob(3)
                }
                existing.reset()
                if let ifVersion, ifVersion != (live?.version ?? 0) { throw StoreError.conflict(current: live?.version) }
                let version = (live?.version ?? 0) + 1
                let createdAt = live?.createdAt ?? now
                // The data key is wrapped now, under the wrap key and format current on the
                // writer, bound to everything the row will claim.
                let claims = RecordClaims(lookup: lookup, namespace: namespace, version: version,
                                          createdAt: createdAt, updatedAt: now, expiresAt: expires)
                let wrapped = dataKey.bytes.withUnsafeBytes {
                    KeyWrap.wrap($0, under: writeKeys.wrap, context: claims.dataKeyContext(writeKeys.format))
                }
                if stored && storedNamespace == namespace {
                    // An UPDATE in place, not INSERT OR REPLACE (a delete and an insert): the
                    // row's namespace id does not change, so the namespace index page is left
                    // alone and a commit usually writes one page to the WAL, not two.
                    try connection.statement("""
                        UPDATE entries SET version = ?, created_at = ?, updated_at = ?, expires_at = ?, wrapped_key = ?, sealed = ?
                        WHERE lookup = ?
                        """)
                        .bind(0, Int64(version)).bind(1, createdAt).bind(2, now).bind(3, expires)
                        .bind(4, wrapped).bind(5, sealed).bind(6, lookup).run()
                } else {
                    // New, or a row whose namespace id was edited on disk: this put sets it right.
                    try connection.statement("""
                        INSERT OR REPLACE INTO entries (lookup, ns_id, version, created_at, updated_at, expires_at, wrapped_key, sealed)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                        .bind(0, lookup).bind(1, namespace).bind(2, Int64(version)).bind(3, createdAt)
                        .bind(4, now).bind(5, expires).bind(6, wrapped).bind(7, sealed).run()
                }
                return PutResult(created: live == nil, version: version, expiresAt: expires.map(Records.date))
            } catch let error as StoreError {
                throw error
            } catch let error as SQLiteError {
                throw StoreError(sqlite: error)
            } catch {
                throw .unavailable("\(error)")
            }
        }
    }

    private func deleteJob(ns: String, key: String, ifVersion: Int?) throws(StoreError) -> (SQLiteConnection) throws(StoreError) -> Bool {
        try Names.validate(ns, field: "ns")
        try Names.validate(key, field: "key")
        let keys = try currentKeys()
        let lookup = Records.lookupID(ns: ns, key: key, keys: keys)
        let now = Records.milliseconds(self.now)
        return { [self] (connection) throws(StoreError) in
            do {
                let existing = try connection.statement("SELECT version, expires_at FROM entries WHERE lookup = ?").bind(0, lookup)
                var found = false
                var liveVersion: Int? = nil
                if try existing.step() {
                    found = true
                    if existing.int64OrNil(1).map({ $0 > now }) ?? true { liveVersion = Int(existing.int64(0)) }
                }
                existing.reset()
                if let ifVersion {
                    if ifVersion == 0 {
                        if let liveVersion { throw StoreError.conflict(current: liveVersion) }
                    } else if ifVersion != liveVersion {
                        throw StoreError.conflict(current: liveVersion)
                    }
                }
                if found {
                    try connection.statement("DELETE FROM entries WHERE lookup = ?").bind(0, lookup).run()
                    // Its sealed bytes are zeroed in the page (secure_delete); older copies
                    // in the WAL go with the next TRUNCATE checkpoint.
                    writer.requestScrub()
                }
                return liveVersion != nil
            } catch let error as StoreError {
                throw error
            } catch let error as SQLiteError {
                throw StoreError(sqlite: error)
            } catch {
                throw .unavailable("\(error)")
            }
        }
    }
}
