#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketConnection
import LocketProtocol

/// git's credential helper operations on a Locket vault. Entries live under
/// namespace `git` with the key of `CredentialKey`, and a `StoredCredential`
/// JSON object as value. `password_expiry_utc` becomes the entry's ttl, so the
/// daemon forgets an expired password by itself.
///
/// It speaks to the daemon through a bare `DaemonConnection`, not `LocketClient`:
/// what it stores and reads is encoded and scanned here, so the helper links
/// neither Foundation's JSON coders nor the rest of FoundationEssentials.
public struct CredentialHelper: Sendable {
    public let connection: DaemonConnection
    /// The clock (tests move it).
    public let now: @Sendable () -> Date

    public init(connection: DaemonConnection, now: @escaping @Sendable () -> Date = { Date() }) {
        self.connection = connection
        self.now = now
    }

    /// The longest ttl the protocol allows (100 years).
    static let maximumTTL = Int64(ProtocolLimits.maxTTL)

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

    /// The stored credential for git's request, or nil (git then asks elsewhere);
    /// `authtype` and `credential` only when `authtypeCapable` (the caller
    /// announced `capability[]=authtype`).
    ///
    /// With a username, the entry of exactly that key; with a blank one
    /// (`username=`), the entry without a username in its key, only if it was
    /// stored with a blank username. Without one, the only entry of that
    /// protocol, host and path, whatever its username (found with `list`, which
    /// shows keys but never values); nil when there are several, so git asks
    /// the user rather than guessing. An entry with nothing the caller can use
    /// (no password, refresh token, or credential it may be given) is nil too.
    public func get(_ query: CredentialAttributes, authtypeCapable: Bool = false) throws(Failure) -> CredentialAttributes? {
        guard let key = CredentialKey(query) else { return nil }
        var candidates: [CredentialKey]
        if key.username != nil || query.username == "" {
            candidates = [key]
        } else {
            let items = try list()
            candidates = items.compactMap { CredentialKey.decode($0.key) }.filter { $0.sameServer(as: key) }
            guard candidates.count == 1 else { return nil }
        }
        guard let found = try read(candidates[0]) else { return nil }
        var answer = found.stored.attributes
        if query.username == "", answer.username != "" { return nil }
        if answer.username == nil { answer.username = candidates[0].username }
        if let expiry = answer.passwordExpiryUTC, expiry <= Int64(now().timeIntervalSince1970) { return nil }
        if !authtypeCapable {
            answer.authtype = nil
            answer.credential = nil
        }
        guard answer.password != nil || answer.oauthRefreshToken != nil || answer.credential != nil else { return nil }
        return answer
    }

    /// `get` for a whole request (its capabilities decide what may be answered).
    public func get(_ request: CredentialRequest) throws(Failure) -> CredentialAttributes? {
        try get(request.attributes, authtypeCapable: request.announcesAuthtype)
    }

    // MARK: - store

    /// What `store` did.
    public enum StoreOutcome: Equatable, Sendable {
        case stored(version: Int)
        /// `password_expiry_utc` had passed: the entry was deleted instead.
        case expiredDeleted
        /// Nothing to store (no protocol, no host or path, or neither a password nor a credential).
        case ignored
        /// git marked the credential `ephemeral`: it is not stored (nothing is changed).
        case ephemeral
    }

    /// Stores the credential git approved, with every known attribute.
    @discardableResult
    public func store(_ credential: CredentialAttributes) throws(Failure) -> StoreOutcome {
        try store(CredentialRequest(attributes: credential))
    }

    /// Stores the credential of git's request unless it is `ephemeral`. A blank
    /// password counts as one; so does a `credential` (git 2.46+) without any.
    @discardableResult
    public func store(_ request: CredentialRequest) throws(Failure) -> StoreOutcome {
        guard !request.ephemeral else { return .ephemeral }
        let credential = request.attributes
        guard let key = CredentialKey(credential), credential.password != nil || credential.credential != nil else {
            return .ignored
        }
        let name = try checked(key)
        var ttl: Int?
        if let expiry = credential.passwordExpiryUTC {
            let remaining = expiry - Int64(now().timeIntervalSince1970.rounded(.down))
            if remaining < 1 {
                _ = try locket { () throws(LocketError) in try delete(name, ifVersion: nil) }
                return .expiredDeleted
            }
            ttl = Int(min(remaining, Self.maximumTTL))
        }
        let value = StoredCredential(credential).json
        let request = Request(.put(.init(ns: CredentialKey.namespace, key: name, valueJSON: value, ttl: ttl, ifVersion: nil)))
        let result = try locket { () throws(LocketError) in try connection.call(request, Answer.Put.self, idempotent: false) }
        return .stored(version: result.version)
    }

    // MARK: - erase

    /// Erases every stored entry that git's request matches, as git's own
    /// helpers do (see `CredentialPattern`); returns how many were deleted.
    ///
    /// A request without protocol, host, path and username erases nothing.
    /// Each delete is a compare-and-swap on the version seen, so an entry
    /// stored anew meanwhile is kept. An entry whose value cannot be read is
    /// erased when its key matches.
    @discardableResult
    public func erase(_ credential: CredentialAttributes) throws(Failure) -> Int {
        let pattern = CredentialPattern(credential)
        guard !pattern.isEmpty else { return 0 }
        let items = try list()
        var deleted = 0
        for item in items {
            guard let key = CredentialKey.decode(item.key), pattern.matches(key: key) else { continue }
            var version = item.version
            if pattern.needsValue {
                guard let found = try read(key) else { continue }
                if found.readable, !pattern.matches(stored: found.stored) { continue }
                version = found.version
            }
            let result = Result { () throws(LocketError) in try delete(item.key, ifVersion: version) }
            switch result {
            case .success(true): deleted += 1
            case .success(false), .failure(.conflict), .failure(.notFound): continue
            case .failure(let error): throw .locket(error)
            }
        }
        return deleted
    }

    /// `erase` for a whole request.
    @discardableResult
    public func erase(_ request: CredentialRequest) throws(Failure) -> Int {
        try erase(request.attributes)
    }

    // MARK: - Plumbing

    private func checked(_ key: CredentialKey) throws(Failure) -> String {
        let name = key.encoded
        guard name.utf8.count <= CredentialKey.maximumBytes else { throw .keyTooLong(name.utf8.count) }
        return name
    }

    /// The entry under `key` decoded (an undecodable value reads as empty, not `readable`), or nil.
    private func read(_ key: CredentialKey) throws(Failure) -> (stored: StoredCredential, readable: Bool, version: Int)? {
        let name = try checked(key)
        let result = Result { () throws(LocketError) in
            try connection.call(Request(.get(.init(ns: CredentialKey.namespace, key: name))), Answer.Entry.self, idempotent: true)
        }
        if case .failure(.notFound) = result { return nil }
        guard case .success(let entry) = result else {
            if case .failure(let error) = result { throw .locket(error) }
            return nil
        }
        guard let stored = try? StoredCredential(json: entry.value) else {
            return (StoredCredential(CredentialAttributes()), false, entry.version)
        }
        return (stored, true, entry.version)
    }

    /// The entries of namespace `git` (keys and versions; `list` never shows values).
    private func list() throws(Failure) -> [Answer.List.Item] {
        try locket { () throws(LocketError) in
            try connection.call(Request(.list(ns: CredentialKey.namespace)), Answer.List.self, idempotent: true).items
        }
    }

    /// Deletes entry `name` of namespace `git` (only at `ifVersion` when given); false when there was none.
    private func delete(_ name: String, ifVersion: Int?) throws(LocketError) -> Bool {
        let request = Request(.delete(.init(ns: CredentialKey.namespace, key: name, ifVersion: ifVersion)))
        return try connection.call(request, Answer.Delete.self, idempotent: false).deleted
    }

    private func locket<T>(_ body: () throws(LocketError) -> T) throws(Failure) -> T {
        do {
            return try body()
        } catch {
            throw .locket(error)
        }
    }
}
