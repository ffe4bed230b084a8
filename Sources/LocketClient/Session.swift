#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A standard login session: the tokens an identity provider hands out, when
/// they expire, and whatever small state the app keeps beside them.
public struct Session: Codable, Sendable, Equatable {
    public var idToken: String?
    public var accessToken: String?
    public var refreshToken: String?
    public var expiresAt: Date?
    public var state: [String: String]

    public init(idToken: String? = nil, accessToken: String? = nil, refreshToken: String? = nil,
                expiresAt: Date? = nil, state: [String: String] = [:]) {
        self.idToken = idToken
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.state = state
    }
}

/// Save a session after login, resume it on the next start, fall back to login
/// when it is missing or expired. Sessions live under namespace = app,
/// key = account, with the daemon enforcing the expiry.
public struct SessionStore: Sendable {
    public let client: LocketClient

    public init(client: LocketClient = LocketClient()) {
        self.client = client
    }

    /// Saves a session after a successful login; returns its version.
    /// `expiresIn` (seconds) makes the daemon forget it then; nil keeps it until deleted.
    @discardableResult
    public func save<S: Encodable>(_ session: S, app: String, account: String, expiresIn: TimeInterval? = nil) throws(LocketError) -> Int {
        try client.put(session, ns: app, key: account, ttl: expiresIn.map { max(1, Int($0.rounded(.up))) }).version
    }

    /// The saved session, or nil when there is none or it expired: then show the login.
    public func resume<S: Decodable>(_ type: S.Type, app: String, account: String) throws(LocketError) -> S? {
        try client.value(S.self, ns: app, key: account)
    }

    /// `resume` of a standard `Session`.
    public func resume(app: String, account: String) throws(LocketError) -> Session? {
        try resume(Session.self, app: app, account: account)
    }

    /// The outcome of `update`.
    public enum Update<S> {
        /// Our new session is stored.
        case updated(S)
        /// Another process stored a newer session first; ours was not stored. Use this one.
        case superseded(S)
        /// There was no session to update (log in again).
        case missing
    }

    /// Replaces the session with `transform(current)` only if nobody changed it
    /// in between (compare-and-swap on its version). When two processes refresh
    /// a rotating refresh token at once, only the first one's result is stored;
    /// the other gets `.superseded` with the stored session and must use it,
    /// never the token it got, which the provider has revoked.
    public func update<S: Codable>(_ type: S.Type, app: String, account: String, expiresIn: TimeInterval? = nil,
                                   _ transform: (S) throws -> S) throws -> Update<S> {
        let read = Result { () throws(LocketError) in try client.get(ns: app, key: account) }
        if case .failure(.notFound) = read { return .missing }
        let entry = try read.get()
        let next = try transform(try entry.decode(S.self))
        let ttl = expiresIn.map { max(1, Int($0.rounded(.up))) }
        let written = Result { () throws(LocketError) in try client.put(next, ns: app, key: account, ttl: ttl, ifVersion: entry.version) }
        if case .failure(.conflict) = written {
            guard let stored = try resume(S.self, app: app, account: account) else { return .missing }
            return .superseded(stored)
        }
        _ = try written.get()
        return .updated(next)
    }

    /// `update` of a standard `Session`.
    public func update(app: String, account: String, expiresIn: TimeInterval? = nil,
                       _ transform: (Session) throws -> Session) throws -> Update<Session> {
        try update(Session.self, app: app, account: account, expiresIn: expiresIn, transform)
    }

    /// Forgets the session (log out).
    @discardableResult
    public func remove(app: String, account: String) throws(LocketError) -> Bool {
        try client.delete(ns: app, key: account)
    }
}
