/// The error codes of protocol v1. Programs act on the code; the message is for people.
public enum ErrorCode: String, Sendable, CaseIterable, Codable {
    /// Not JSON, not an object, a missing or mistyped member, an invalid name.
    case badRequest = "bad_request"
    /// `op` is not one the daemon knows.
    case unknownOp = "unknown_op"
    /// No live entry for `ns`/`key`.
    case notFound = "not_found"
    /// A line or a value over its limit.
    case tooLarge = "too_large"
    /// `if_version` did not match the live entry.
    case conflict
    /// The vault's master key is not in memory.
    case locked
    /// Peer uid mismatch, or an access rule denies it.
    case forbidden
    /// The daemon is shutting down, overloaded, or the store cannot be written.
    case unavailable
    /// A bug; the message says what failed, never any secret.
    case `internal`
}

/// A request that cannot be served: its code and a message for people (never a secret).
public struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    static func bad(_ message: String) -> ProtocolError { ProtocolError(.badRequest, message) }
}
