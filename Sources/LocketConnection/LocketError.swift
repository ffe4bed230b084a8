#if canImport(Glibc)
import Glibc
#endif
import LocketProtocol

/// Everything a Locket call can fail with. The protocol's error codes map one
/// to one; `daemonNotRunning` says which socket was tried.
public enum LocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No live entry (`not_found`).
    case notFound
    /// The vault's master key is not in memory (`locked`); the message says why.
    case locked(String)
    /// `ifVersion` did not match the live entry (`conflict`).
    case conflict(String)
    /// The request was malformed or a name invalid (`bad_request`).
    case badRequest(String)
    /// The daemon does not know the op (`unknown_op`): an older daemon.
    case unknownOp(String)
    /// A line or value over its limit (`too_large`).
    case tooLarge(String)
    /// The daemon refused this peer (`forbidden`).
    case forbidden(String)
    /// Shutting down, overloaded, or the store cannot be written (`unavailable`).
    case unavailable(String)
    /// A bug in the daemon (`internal`).
    case `internal`(String)
    /// Nothing accepts connections on the socket.
    case daemonNotRunning(socketPath: String)
    /// The process listening on the socket runs as another uid (`peerUID`, from
    /// `SO_PEERCRED`): not your daemon. Nothing was sent. Suspect another user,
    /// do not restart the daemon.
    case notTheDaemon(socketPath: String, peerUID: UInt32)
    /// The socket's folder is not private to you (a symbolic link, another
    /// owner, or group/other permission bits), so another user may have put the
    /// socket there. Nothing was sent. `mode` holds the permission bits.
    case unsafeSocketFolder(folder: String, ownerUID: UInt32, mode: UInt32, problem: SocketFolderProblem)
    /// No answer within the timeout.
    case timedOut(seconds: Double)
    /// The daemon answered something this client cannot read, or the connection broke mid-answer.
    case connectionFailed(String)
    /// An answer line longer than `limit` bytes (`ProtocolLimits.maxAnswerLineBytes`):
    /// more than any answer of a working daemon. The connection is dropped; nothing more was read.
    case answerTooLong(limit: Int)
    /// A value could not be encoded to, or decoded from, JSON.
    case coding(String)

    package init(_ error: ProtocolError) {
        switch error.code {
        case .notFound: self = .notFound
        case .locked: self = .locked(error.message)
        case .conflict: self = .conflict(error.message)
        case .badRequest: self = .badRequest(error.message)
        case .unknownOp: self = .unknownOp(error.message)
        case .tooLarge: self = .tooLarge(error.message)
        case .forbidden: self = .forbidden(error.message)
        case .unavailable: self = .unavailable(error.message)
        case .internal: self = .internal(error.message)
        }
    }

    /// The protocol code, for errors that came from the daemon.
    public var code: ErrorCode? {
        switch self {
        case .notFound: .notFound
        case .locked: .locked
        case .conflict: .conflict
        case .badRequest: .badRequest
        case .unknownOp: .unknownOp
        case .tooLarge: .tooLarge
        case .forbidden: .forbidden
        case .unavailable: .unavailable
        case .internal: .internal
        case .daemonNotRunning, .notTheDaemon, .unsafeSocketFolder, .timedOut, .connectionFailed, .answerTooLong, .coding: nil
        }
    }

    public var description: String {
        switch self {
        case .notFound: "not found"
        case .locked(let m), .conflict(let m), .badRequest(let m), .unknownOp(let m), .tooLarge(let m),
             .forbidden(let m), .unavailable(let m), .internal(let m):
            m
        case .daemonNotRunning(let path):
            "locketd is not running (nothing listens on \(path)); start it with `systemctl --user start locketd.socket` or `locketd &`"
        case .notTheDaemon(let path, let uid):
            "the socket at \(path) is owned by uid \(uid), not you (uid \(getuid())): it is not your locketd, so nothing was sent; another user may be impersonating it"
        case .unsafeSocketFolder(let folder, let owner, let mode, let problem):
            "the socket folder \(folder) \(Self.describe(problem, owner: owner, mode: mode)), so another user may have put the socket there; nothing was sent"
        case .timedOut(let seconds): "locketd did not answer within \(seconds) s"
        case .connectionFailed(let why): "connection to locketd failed: \(why)"
        case .answerTooLong(let limit): "locketd sent an answer line longer than \(limit) bytes, more than any answer can be; the connection was dropped"
        case .coding(let why): "JSON coding failed: \(why)"
        }
    }

    private static func describe(_ problem: SocketFolderProblem, owner: UInt32, mode: UInt32) -> String {
        let octal = String(mode & 0o777, radix: 8)
        switch problem {
        case .symbolicLink: return "is a symbolic link (owned by uid \(owner)), not a folder"
        case .notAFolder: return "is not a folder"
        case .ownedByAnotherUser: return "is owned by uid \(owner), not you (uid \(getuid())), mode \(octal)"
        case .openToOthers: return "has mode \(octal) (owner uid \(owner)): others may enter or write it (it must be 700)"
        }
    }
}
