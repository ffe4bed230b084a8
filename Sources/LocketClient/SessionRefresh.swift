#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Resuming a session that many processes share: one refresh per expired
/// session, however many processes find it stale at once (PROTOCOL.md,
/// "Refresh leases").
extension SessionStore {
    /// Where `resume(_:app:account:…)` got the session from.
    public enum Source: String, Sendable, Equatable {
        /// The stored session, still fresh.
        case stored
        /// This process refreshed it (it held the lease) and stored the result.
        case refreshed
        /// Another process refreshed it; this one waited and uses its result.
        case refreshedElsewhere
        /// There was none, or refreshing failed: this process ran the app's login and stored the result.
        case loggedIn
    }

    /// A resumed session, its version (pass it as `rejectedVersion` when the
    /// provider rejects it) and where it came from.
    public struct Resumed<S> {
        public var session: S
        public var version: Int
        public var source: Source
    }

    /// Resumes the session of `account` in `app`, refreshing it through a lease
    /// when it is stale or was rejected, and logging in when there is none or
    /// the refresh fails. Exactly one of many processes calling this at once
    /// runs `refresh` (or `login`); the others wait for its result and use it,
    /// so a rotating refresh token is never spent twice.
    ///
    /// - `rejectedVersion`: the version whose access token the provider just
    ///   rejected (HTTP 401): skips the stored-session check, and returns at
    ///   once a newer version if another process stored one.
    /// - `expiresIn`: seconds until the daemon may forget a session stored here (nil: never).
    /// - `isStale`: whether a stored session needs a refresh before use.
    /// - `refresh`: exchanges the session's refresh token for a new session; if
    ///   it throws, `login` runs instead.
    /// - `login`: a full login; if it throws, nothing is stored, the lease is
    ///   released and the error is rethrown.
    public func resume<S: Codable>(
        _ type: S.Type, app: String, account: String, rejectedVersion: Int? = nil,
        expiresIn: (S) -> TimeInterval? = { _ in nil }, isStale: (S) -> Bool,
        refresh: (S) throws -> S, login: () throws -> S
    ) throws -> Resumed<S> {
        var staleVersion = rejectedVersion
        if rejectedVersion == nil {
            let read = Result { () throws(LocketError) in try client.get(ns: app, key: account) }
            switch read {
            case .success(let entry):
                if let session = try? entry.decode(S.self), !isStale(session) {
                    return Resumed(session: session, version: entry.version, source: .stored)
                }
                staleVersion = entry.version
            // None seen: stale version 0 (absent), so a session stored meanwhile comes back at once.
            case .failure(.notFound): staleVersion = 0
            case .failure(let error): throw error
            }
        }
        switch try client.lease(ns: app, key: account, staleVersion: staleVersion) {
        case .refreshed(let entry):
            return Resumed(session: try entry.decode(S.self), version: entry.version, source: .refreshedElsewhere)
        case .granted(let lease):
            do {
                return try refreshHolding(lease, expiresIn: expiresIn, refresh: refresh, login: login)
            } catch {
                _ = try? client.release(lease)
                throw error
            }
        }
    }

    /// `resume` of a standard `Session`: stale when it expires within `margin` seconds;
    /// a session stored here is forgotten by the daemon after `expiresIn` seconds (nil: never).
    public func resume(app: String, account: String, rejectedVersion: Int? = nil, expiresIn: TimeInterval? = nil,
                       margin: TimeInterval = 30,
                       refresh: (Session) throws -> Session, login: () throws -> Session) throws -> Resumed<Session> {
        try resume(Session.self, app: app, account: account, rejectedVersion: rejectedVersion, expiresIn: { _ in expiresIn },
                   isStale: { session in session.expiresAt.map { $0.timeIntervalSinceNow <= margin } ?? false },
                   refresh: refresh, login: login)
    }

    /// The holder's part: refresh (or log in), then store under the lease.
    private func refreshHolding<S: Codable>(_ lease: Lease, expiresIn: (S) -> TimeInterval?,
                                            refresh: (S) throws -> S, login: () throws -> S) throws -> Resumed<S> {
        var next: S
        var source = Source.refreshed
        if let entry = lease.entry, let current = try? entry.decode(S.self), let refreshed = try? refresh(current) {
            next = refreshed
        } else {
            next = try login()
            source = .loggedIn
        }
        let ttl = expiresIn(next).map { max(1, Int($0.rounded(.up))) }
        let stored = Result { () throws(LocketError) in try client.store(next, under: lease, ttl: ttl) }
        switch stored {
        case .success(let put):
            return Resumed(session: next, version: put.version, source: source)
        case .failure(.conflict):
            // The lease ended first (it outlived its duration, or the entry was deleted):
            // store only if nobody else did meanwhile; otherwise use theirs.
            let written = Result { () throws(LocketError) in
                try client.put(next, ns: lease.ns, key: lease.key, ttl: ttl, ifVersion: lease.entry?.version ?? 0)
            }
            switch written {
            case .success(let put): return Resumed(session: next, version: put.version, source: source)
            case .failure(.conflict): break
            case .failure(let error): throw error
            }
            let entry = try client.get(ns: lease.ns, key: lease.key)
            next = try entry.decode(S.self)
            return Resumed(session: next, version: entry.version, source: .refreshedElsewhere)
        case .failure(let error):
            throw error
        }
    }
}
