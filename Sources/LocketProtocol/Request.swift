#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A parsed, validated request: its `id` and its op with that op's members.
/// Built by `Request.parse` from one line.
public struct Request: Sendable {
    /// The request's `id` as the exact JSON text sent (a string or an integer), echoed verbatim.
    public var idJSON: [UInt8]?
    /// The op and its members.
    public var body: Body

    /// An op with its members (the types are in RequestBodies.swift).
    public enum Body: Sendable {
        /// `hello`, with the protocol version asked for.
        case hello(version: Int?)
        case ping, status, lock, rotate
        case put(Put)
        case get(EntryName)
        case delete(Delete)
        case list(ns: String?)
        /// `unlock`'s passphrase as bytes (never a String, so it can be wiped).
        case unlock(passphrase: [UInt8]?)
        case audit(AuditQuery)
        case watch(Watch)
        case allow(Allow)
        case deny(Deny)
        case rules(ns: String?)
        case lease(Lease)
        case release(Release)
    }

    public init(id idJSON: [UInt8]? = nil, _ body: Body) {
        self.idJSON = idJSON
        self.body = body
    }

    public var op: Op {
        switch body {
        case .hello: .hello
        case .ping: .ping
        case .status: .status
        case .lock: .lock
        case .rotate: .rotate
        case .put: .put
        case .get: .get
        case .delete: .delete
        case .list: .list
        case .unlock: .unlock
        case .audit: .audit
        case .watch: .watch
        case .allow: .allow
        case .deny: .deny
        case .rules: .rules
        case .lease: .lease
        case .release: .release
        }
    }

    /// The namespace the request is about, if any (access rules and the audit record use it).
    public var ns: String? {
        switch body {
        case .put(let put): put.ns
        case .get(let name): name.ns
        case .delete(let delete): delete.ns
        case .list(let ns), .rules(let ns): ns
        case .audit(let query): query.ns
        case .watch(let watch): watch.ns
        case .allow(let allow): allow.ns
        case .deny(let deny): deny.ns
        case .lease(let lease): lease.ns
        case .release(let release): release.ns
        case .hello, .ping, .status, .lock, .rotate, .unlock: nil
        }
    }

    /// The key the request is about, if any.
    public var key: String? {
        switch body {
        case .put(let put): put.key
        case .get(let name): name.key
        case .delete(let delete): delete.key
        case .lease(let lease): lease.key
        case .release(let release): release.key
        default: nil
        }
    }

    /// The lease a `put` or `delete` writes under, or a `release` ends.
    public var leaseToken: String? {
        switch body {
        case .put(let put): put.lease
        case .delete(let delete): delete.lease
        case .release(let release): release.lease
        default: nil
        }
    }

    /// The failure of a request that had a usable `id`: the id to echo with the error.
    public struct Failure: Error, Sendable {
        public var idJSON: [UInt8]?
        public var error: ProtocolError
    }
}
