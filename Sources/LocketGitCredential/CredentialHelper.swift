import Foundation
import LocketClient

/// git's credential helper operations on a Locket vault. Entries live under
/// namespace `git` with the key of `CredentialKey`, and a `StoredCredential`
/// JSON object as value. `password_expiry_utc` becomes the entry's ttl, so the
/// daemon forgets an expired password by itself.
public struct CredentialHelper: Sendable {
    public let client: LocketClient
    /// The clock (tests move it).
    public let now: @Sendable () -> Date

    public init(client: LocketClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.now = now
    }

    /// The longest ttl the protocol allows (100 years).
    static let maximumTTL: Int64 = 3_153_600_000

    /// Why an operation did nothing.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The encoded key is over the protocol's 256 bytes.
        case keyTooLong(Int)
        case locket(LocketError)

        public var description: String {
            switch self {
            case .keyTooLong(let bytes): "the credential's key is \(bytes) bytes long, over Locket's 256"
            case .locket(let error): error.description
            }
        }
    }

    // MARK: - get

    /// The stored credential for git's request, or nil (git then asks elsewhere).
    ///
    /// With a username, the entry of exactly that key. Without one, the only
    /// entry of that protocol, host and path, whatever its username (found
    /// with `list`, which shows keys but never values); nil when there are
    /// several, so git asks the user rather than guessing.
    public func get(_ query: CredentialAttributes) throws(Failure) -> CredentialAttributes? {
        guard let key = CredentialKey(query) else { return nil }
        var candidates: [CredentialKey]
        if key.username != nil {
            candidates = [key]
        } else {
            let items = try locket { () throws(LocketError) in try client.list(ns: CredentialKey.namespace) }
            candidates = items.compactMap { CredentialKey.decode($0.key) }.filter { $0.sameServer(as: key) }
            guard candidates.count == 1 else { return nil }
        }
        guard let found = try read(candidates[0]) else { return nil }
        var answer = found.stored.attributes
        if answer.username == nil { answer.username = candidates[0].username }
        if let expiry = answer.passwordExpiryUTC, expiry <= Int64(now().timeIntervalSince1970) { return nil }
        guard answer.password != nil || answer.oauthRefreshToken != nil else { return nil }
        return answer
    }

    // MARK: - store

    /// What `store` did.
    public enum StoreOutcome: Equatable, Sendable {
        case stored(version: Int)
        /// `password_expiry_utc` had passed: the entry was deleted instead.
        case expiredDeleted
        /// Nothing to store (no protocol, host or password).
        case ignored
    }

    /// Stores the credential git approved, with every known attribute.
    @discardableResult
    public func store(_ credential: CredentialAttributes) throws(Failure) -> StoreOutcome {
        guard let key = CredentialKey(credential), credential.password != nil else { return .ignored }
        let name = try checked(key)
        var ttl: Int?
        if let expiry = credential.passwordExpiryUTC {
            let remaining = expiry - Int64(now().timeIntervalSince1970.rounded(.down))
            if remaining < 1 {
                _ = try locket { () throws(LocketError) in try client.delete(ns: CredentialKey.namespace, key: name) }
                return .expiredDeleted
            }
            ttl = Int(min(remaining, Self.maximumTTL))
        }
        let value = StoredCredential(credential)
        let result = try locket { () throws(LocketError) in
            try client.put(value, ns: CredentialKey.namespace, key: name, ttl: ttl)
        }
        return .stored(version: result.version)
    }

    // MARK: - erase

    /// Erases what git rejected; returns how many entries were deleted.
    ///
    /// With a username, that entry; without one, every entry of that protocol,
    /// host and path. When git gives the password that failed, an entry whose
    /// stored password differs is kept (someone stored a new one meanwhile),
    /// and the delete is a compare-and-swap on the version read.
    @discardableResult
    public func erase(_ credential: CredentialAttributes) throws(Failure) -> Int {
        guard let key = CredentialKey(credential) else { return 0 }
        var targets: [CredentialKey]
        if key.username != nil {
            targets = [key]
        } else {
            let items = try locket { () throws(LocketError) in try client.list(ns: CredentialKey.namespace) }
            targets = items.compactMap { CredentialKey.decode($0.key) }.filter { $0.sameServer(as: key) }
        }
        var deleted = 0
        for target in targets {
            let name = try checked(target)
            var version: Int?
            if let password = credential.password {
                guard let found = try read(target) else { continue }
                // An unreadable value is erased; a different password is kept.
                if let stored = found.stored.password, stored != password { continue }
                version = found.version
            }
            let result = Result { () throws(LocketError) in
                try client.delete(ns: CredentialKey.namespace, key: name, ifVersion: version)
            }
            switch result {
            case .success(true): deleted += 1
            case .success(false), .failure(.conflict): continue
            case .failure(let error): throw .locket(error)
            }
        }
        return deleted
    }

    // MARK: - Plumbing

    private func checked(_ key: CredentialKey) throws(Failure) -> String {
        let name = key.encoded
        guard name.utf8.count <= CredentialKey.maximumBytes else { throw .keyTooLong(name.utf8.count) }
        return name
    }

    /// The entry under `key` decoded (an undecodable value reads as empty), or nil.
    private func read(_ key: CredentialKey) throws(Failure) -> (stored: StoredCredential, version: Int)? {
        let name = try checked(key)
        let result = Result { () throws(LocketError) in try client.get(ns: CredentialKey.namespace, key: name) }
        if case .failure(.notFound) = result { return nil }
        guard case .success(let entry) = result else {
            if case .failure(let error) = result { throw .locket(error) }
            return nil
        }
        let stored = (try? entry.decode(StoredCredential.self)) ?? StoredCredential(CredentialAttributes())
        return (stored, entry.version)
    }

    private func locket<T>(_ body: () throws(LocketError) -> T) throws(Failure) -> T {
        do {
            return try body()
        } catch {
            throw .locket(error)
        }
    }
}
