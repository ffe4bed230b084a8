#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketClient

/// The exit codes of `locket`; scripts rely on them.
enum ExitStatus: Int32 {
    case ok = 0
    /// No live entry (`get`, `delete`).
    case notFound = 1
    /// Bad arguments or input: an unknown option, invalid JSON, a name the daemon refuses.
    case usage = 2
    /// The vault is locked.
    case locked = 3
    /// Nothing answers on the socket, or what answers is not the user's daemon
    /// (another uid listens, or the socket's folder is not private).
    case unreachable = 4
    /// `--if-version` did not match.
    case conflict = 5
    /// Anything else.
    case other = 6
}

/// A failure `locket` reports itself: `locket: <message>` on stderr (plus an
/// optional hint line), then the exit code.
struct Failure: Error {
    var status: ExitStatus
    var message: String
    var hint: String?

    init(_ status: ExitStatus, _ message: String, hint: String? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    /// How to start the daemon, printed when nothing listens.
    static let startHint = "start it with: systemctl --user start locketd.socket   (or run: locketd &)"

    /// Maps a client error to its exit code and a message that says what to do next.
    init(_ error: LocketError) {
        switch error {
        case .notFound: self.init(.notFound, "not found")
        case .locked(let message): self.init(.locked, message)
        case .conflict(let message): self.init(.conflict, message)
        case .badRequest(let message), .tooLarge(let message): self.init(.usage, message)
        case .daemonNotRunning(let path):
            self.init(.unreachable, "locketd is not running (nothing listens on \(path))", hint: Self.startHint)
        case .notTheDaemon, .unsafeSocketFolder:
            // No "start the daemon" hint: the user should suspect another user, not restart locketd.
            self.init(.unreachable, error.description)
        case .timedOut(let seconds):
            self.init(.unreachable, "locketd did not answer within \(Self.seconds(seconds)) s")
        case .unknownOp(let message):
            self.init(.other, "this locketd does not serve that operation (\(message)); update locketd")
        case .forbidden, .unavailable, .internal, .connectionFailed, .answerTooLong, .coding:
            self.init(.other, error.description)
        }
    }

    static func usage(_ message: String) -> Failure { Failure(.usage, message) }

    /// Writes the message (and hint) to stderr and exits with the status.
    func report() -> Never {
        var text = "locket: \(message)\n"
        if let hint { text += "locket: \(hint)\n" }
        Output.standardError(text)
        exit(status.rawValue)
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Runs a client call, turning its typed error into a `Failure`; `not found`
/// names the entry when `ns` and `key` are given.
func daemonCall<T>(ns: String? = nil, key: String? = nil, _ body: () throws(LocketError) -> T) throws(Failure) -> T {
    do {
        return try body()
    } catch .notFound {
        throw Failure.notFound(ns: ns, key: key)
    } catch {
        throw Failure(error)
    }
}

extension Failure {
    /// Exit 1, naming the entry.
    static func notFound(ns: String?, key: String?) -> Failure {
        guard let ns, let key else { return Failure(.notFound, "not found") }
        return Failure(.notFound, "not found: \(ns)/\(key)")
    }
}
