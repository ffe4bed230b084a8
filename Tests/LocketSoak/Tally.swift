import Foundation

/// What the clients did, added up.
struct ClientTally: Sendable {
    var putsAcknowledged = 0
    var putsCreating = 0
    var putsWithTTL = 0
    var putsWithIfVersion = 0
    var deletesAcknowledged = 0
    var deletesOfAbsentKeys = 0
    var conflictsAsExpected = 0
    var readsChecked = 0
    /// The slowest acknowledged request, in seconds (reported, never asserted).
    var slowestAnswer = 0.0

    static func + (a: ClientTally, b: ClientTally) -> ClientTally {
        ClientTally(
            putsAcknowledged: a.putsAcknowledged + b.putsAcknowledged, putsCreating: a.putsCreating + b.putsCreating,
            putsWithTTL: a.putsWithTTL + b.putsWithTTL, putsWithIfVersion: a.putsWithIfVersion + b.putsWithIfVersion,
            deletesAcknowledged: a.deletesAcknowledged + b.deletesAcknowledged,
            deletesOfAbsentKeys: a.deletesOfAbsentKeys + b.deletesOfAbsentKeys,
            conflictsAsExpected: a.conflictsAsExpected + b.conflictsAsExpected, readsChecked: a.readsChecked + b.readsChecked,
            slowestAnswer: max(a.slowestAnswer, b.slowestAnswer))
    }
}

/// How the requests in flight at the kills turned out.
struct InFlightTally: Sendable {
    /// Found complete after the restart.
    var applied = 0
    /// Found not done at all.
    var notApplied = 0
    /// Of `notApplied`: the connection was refused, so they never reached the daemon.
    var neverReached = 0
    /// Reads, conflicts and deletes of absent keys: the same state either way.
    var sameEitherWay = 0

    var total: Int { applied + notApplied + sameEitherWay }
}

/// Something the checker found wrong.
struct Finding: Sendable {
    enum Kind: String, Sendable {
        /// An acknowledged write is missing (absent, older, or a deleted entry back).
        case lost = "LOST"
        /// Any other difference: a wrong value or version, an unexpected entry, a half-done
        /// request, a wrong answer.
        case mismatch = "MISMATCH"
        /// The store did not open cleanly: the daemon did not start, started locked, skipped
        /// unreadable records, logged an error, or SQLite's integrity check failed.
        case unclean = "UNCLEAN"
    }

    let kind: Kind
    let cycle: Int
    let text: String

    var line: String { "\(kind.rawValue) (cycle \(cycle)): \(text)" }
}
