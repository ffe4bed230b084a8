import LocketProtocol
import LocketStore
import NIOCore

/// What `decide` says to do with a request.
enum Action: Sendable {
    /// Answer now, on the event loop: the outcome is known.
    case answer(Outcome)
    /// A gate needs work off the loop first (`Preparation`); then decide again.
    case prepare(Preparation)
    /// Blocking work on the thread pool (a store read, an unlock, a rotation, a rule change).
    case offLoop(@Sendable () -> Outcome)
    /// A write through the vault's group-commit writer.
    case write(Write)
    /// Wait in the lease table for the right to refresh an entry.
    case lease(Request.Lease)
    /// Hand the connection to `watch`: it streams change events once the answer is written.
    case watch(Request.Watch)

    /// A write, and the lease it is made under (fenced: see `LeaseTable.beginWrite`).
    enum Write: Sendable {
        case put(Request.Put)
        case delete(Request.Delete)
    }
}

/// Work a gate needs done off the event loop before it can decide.
enum Preparation: Sendable {
    /// An expiry the wall clock has passed is swept before the request sees the store.
    case sweepExpiry
    /// Locked for idleness with a key store that needs no person: fetch the key again.
    case refetchKey
    /// The access rules are not in memory: read them.
    case loadRules
    /// A rule pins an executable's SHA-256: hash the caller's executable.
    case hashExecutable
}

/// What the preparations done so far found; `decide` runs again with it.
struct Prepared: Sendable {
    /// A preparation ran: the request passed the stop gate before it and is in flight.
    var admitted = false
    var sweptExpiry = false
    var refetchedKey = false
    var rules: AccessRules?
    /// The caller's executable digest once hashed (`.some(nil)`: it could not be read).
    var digest: String??
}

/// Who asks, on which connection, and which namespaces the access rules hide from them.
struct Asker: Sendable {
    let caller: CallerIdentity
    /// The connection (a `watch`, a lease and a write under a lease belong to it).
    let channel: Channel?
    /// Namespaces left out of a `list` or `audit` over all of them.
    var hidden: Set<String> = []
}
