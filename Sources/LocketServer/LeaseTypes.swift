#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol
import LocketStore
import NIOCore

/// How a refresh lease ended: the `outcome` of a `lease_end` audit record and
/// of a `lease_ended` event (PROTOCOL.md, "Refresh leases").
enum LeaseEnd: String, Sendable {
    /// A `put` under the lease stored the refreshed entry.
    case stored
    /// The entry was deleted (under the lease or not).
    case deleted
    /// The holder sent `release`.
    case released
    /// The holder's connection closed.
    case closed
    /// The lease's duration passed.
    case expired
    /// The vault locked.
    case locked
    /// The daemon is stopping.
    case stopped
}

/// The answer to a `lease` request, decided by `LeaseTable`.
enum LeaseAnswer: Sendable {
    /// The caller holds the lease; `entry` is the live entry, nil when there is none.
    case granted(token: String, expiresAt: Date, duration: Int, entry: Entry?)
    /// Someone else refreshed (or the entry is not the stale version): use it.
    case shared(Entry)
    /// The request fails with this error.
    case failed(ProtocolError)
    /// The entry could not be read without waiting for the writer (a rotation
    /// was committing): wait for it off the loop and ask again.
    case retry
}

/// What the table reports after a decision, outside its lock: the daemon
/// audits it and tells watchers.
enum LeaseNews: Sendable {
    case granted(ns: String, key: String, expiresAt: Date, caller: CallerIdentity)
    case ended(ns: String, key: String, how: LeaseEnd, caller: CallerIdentity)
}

/// One `ns`/`key` in the lease table.
struct LeaseSlotKey: Hashable, Sendable {
    var ns: String
    var key: String
}

/// The connection holding a lease, and the lease.
struct LeaseHolder: Sendable {
    var token: String
    var channel: any Channel
    var caller: CallerIdentity
    var deadline: NIODeadline
    var timer: Scheduled<Void>?
    /// A `put` or `delete` under the lease is on its way to disk: the lease ends
    /// with it (expiry and close wait for its outcome).
    var writing = false
    /// The connection closed while a write was on its way.
    var closedWhileWriting = false
}

/// A `lease` request waiting for the holder's outcome.
struct LeaseWaiter: Sendable {
    var channel: any Channel
    var caller: CallerIdentity
    var staleVersion: Int?
    /// The seconds asked for (before the daemon's cap).
    var duration: Int
    var loop: any EventLoop
    var respond: @Sendable (LeaseAnswer) -> Void
}

/// The holder and the queue of one `ns`/`key`.
struct LeaseSlot: Sendable {
    var holder: LeaseHolder?
    var waiters: [LeaseWaiter] = []

    var isEmpty: Bool { holder == nil && waiters.isEmpty }
}

/// Work decided under the table's lock and done after it is released
/// (answers, timers, reports): nothing slow or re-entrant runs under the lock.
struct LeaseEffects {
    private(set) var actions: [@Sendable () -> Void] = []

    mutating func add(_ action: @escaping @Sendable () -> Void) {
        actions.append(action)
    }

    func run() {
        for action in actions { action() }
    }
}
