#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Answer {
    /// `lease`: granted to this connection (with the entry as it is, or null),
    /// or answered with the entry another process stored.
    public enum Lease: AnswerBody {
        /// This connection holds the lease `token` until `expiresAt` at the latest.
        case granted(token: String, expiresAt: Date?, duration: Int, entry: Entry?)
        /// Another process refreshed the entry (or it is newer than the stale version).
        case shared(Entry)

        /// The entry's line and room for the lease's members.
        public var expectedLineBytes: Int {
            switch self {
            case .granted(_, _, _, let entry): 256 + (entry?.expectedLineBytes ?? 0)
            case .shared(let entry): 32 + entry.expectedLineBytes
            }
        }

        /// `granted`, then `lease`, `expires_at`, `duration`, `entry`; or
        /// `granted:false` and the members of a `get` answer.
        public func write(to response: inout Response) {
            switch self {
            case .granted(let token, let expiresAt, let duration, let entry):
                response.bool("granted", true)
                response.string("lease", token)
                response.timestamp("expires_at", expiresAt)
                response.int("duration", duration)
                response.raw("entry", entry?.object ?? Array("null".utf8))
            case .shared(let entry):
                response.bool("granted", false)
                entry.write(to: &response)
            }
        }

        /// `duration` may be absent (read as 0).
        public init(reading answer: AnswerReader) throws(AnswerError) {
            guard try answer.bool("granted") else {
                self = .shared(try Entry(reading: answer))
                return
            }
            guard let token = answer.string("lease") else { throw .malformed("a granted lease without a token") }
            self = .granted(token: token, expiresAt: answer.date("expires_at"), duration: answer.optionalInt("duration") ?? 0,
                            entry: try answer.object("entry").map { (object) throws(AnswerError) in try Entry(reading: object) })
        }
    }
}
