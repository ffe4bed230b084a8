#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketAudit
import LocketProtocol
import LocketStore

/// What a request came to, typed. `settle` turns it into the wire answer, the
/// audit record and the watch event; nothing parses an answer's bytes back.
enum Outcome: Sendable {
    case failed(ProtocolError)
    case hello(server: String)
    case pong
    case put(PutResult)
    /// A `get`: the entry found (its value is wiped once in the answer).
    case entry(Entry)
    case deleted(Bool)
    case listing(Listing)
    case status(Answer.Status)
    /// `lock` succeeded.
    case lockedOnRequest
    case unlocked
    case rotated(rewrapped: Int)
    case audit(AuditReadout, withheld: Int)
    case allowed(created: Bool, sha256: String?, programs: [AllowedProgram])
    case denied(removed: Int, programs: [AllowedProgram])
    case rules([(ns: String, programs: [AllowedProgram])])
    case lease(LeaseAnswer)
    case released(Bool)
    case watching

    /// The outcome of a store call: `success`, or its error mapped to the protocol's code.
    init(_ work: () throws(StoreError) -> Outcome) {
        do {
            self = try work()
        } catch {
            self = .failed(Dispatcher.protocolError(error))
        }
    }

    /// The audit record's `outcome`: `ok`, `granted` (a lease granted), or the error code.
    var auditOutcome: String {
        switch self {
        case .failed(let error), .lease(.failed(let error)): error.code.rawValue
        case .lease(.retry): ErrorCode.internal.rawValue
        case .lease(.granted): "granted"
        default: "ok"
        }
    }

    /// Whether the request took effect (the answer is `ok`).
    var succeeded: Bool {
        switch self {
        case .failed, .lease(.failed), .lease(.retry): false
        default: true
        }
    }
}
