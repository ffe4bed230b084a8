#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol

/// A refresh lease this client's connection holds (PROTOCOL.md, "Refresh
/// leases"): the right to refresh one session while every other process that
/// asks waits for the result. Store the refreshed session with
/// `LocketClient.store(_:under:)` (which ends the lease) or give up with
/// `LocketClient.release(_:)`. The lease belongs to the connection: it ends if
/// the client disconnects, and other calls on the same client keep it.
public struct Lease: Sendable, Equatable {
    public let ns: String
    public let key: String
    /// The opaque token the daemon granted.
    public let token: String
    /// When the lease ends at the latest (whole seconds).
    public let expiresAt: Date?
    /// The seconds granted.
    public let duration: Int
    /// The live entry when the lease was granted; nil when there is none (log in).
    public let entry: Entry?
}

/// What `LocketClient.lease` answered.
public enum LeaseResult: Sendable, Equatable {
    /// This client holds the lease: refresh (or log in), then store under it or release it.
    case granted(Lease)
    /// Another process refreshed (or the entry is newer than the stale version): use this.
    case refreshed(Entry)
}

extension LocketClient {
    /// Asks for the lease on (`ns`, `key`). `staleVersion`: the version whose
    /// access token was rejected; a live entry with another version is returned
    /// at once. Otherwise this waits (up to `wait` seconds) while another
    /// process holds the lease, and returns what it stored. The client's
    /// other calls wait meanwhile (they share its one connection).
    public func lease(ns: String, key: String, staleVersion: Int? = nil, duration: Int? = nil,
                      wait: Double = 3600) throws(LocketError) -> LeaseResult {
        let request = Request(.lease(.init(ns: ns, key: key, staleVersion: staleVersion, duration: duration)))
        switch try call(request, Answer.Lease.self, idempotent: false, answerTimeout: max(timeout, wait)) {
        case .granted(let token, let expiresAt, let duration, let entry):
            return .granted(Lease(ns: ns, key: key, token: token, expiresAt: expiresAt, duration: duration, entry: entry.map(Entry.init)))
        case .shared(let entry):
            return .refreshed(Entry(entry))
        }
    }

    /// Stores `valueJSON` under the lease, which ends it (waiters get this
    /// entry). `.conflict` when the lease had already ended: nothing was stored.
    @discardableResult
    public func store(valueJSON: [UInt8], under lease: Lease, ttl: Int? = nil, ifVersion: Int? = nil) throws(LocketError) -> PutResult {
        let request = Request(.put(.init(ns: lease.ns, key: lease.key, valueJSON: valueJSON, ttl: ttl, ifVersion: ifVersion,
                                         lease: lease.token)))
        return PutResult(try call(request, Answer.Put.self, idempotent: false))
    }

    /// Stores any `Encodable` value under the lease (dates as ISO 8601).
    @discardableResult
    public func store<T: Encodable>(_ value: T, under lease: Lease, ttl: Int? = nil) throws(LocketError) -> PutResult {
        let json: Data
        do {
            json = try Self.encoder().encode(value)
        } catch {
            throw .coding("cannot encode \(T.self): \(error)")
        }
        return try store(valueJSON: Array(json), under: lease, ttl: ttl)
    }

    /// Deletes the entry under the lease, which ends it (waiters get `.notFound`).
    @discardableResult
    public func delete(under lease: Lease) throws(LocketError) -> Bool {
        try call(Request(.delete(.init(ns: lease.ns, key: lease.key, lease: lease.token))), Answer.Delete.self, idempotent: false).deleted
    }

    /// Ends the lease without storing; the next waiter gets it. False when it
    /// had already ended (not an error: safe on every error path).
    @discardableResult
    public func release(_ lease: Lease) throws(LocketError) -> Bool {
        try call(Request(.release(.init(ns: lease.ns, key: lease.key, lease: lease.token))), Answer.Release.self, idempotent: false).released
    }
}
