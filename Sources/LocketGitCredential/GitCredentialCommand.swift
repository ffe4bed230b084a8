#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketConnection
import LocketProtocol

/// The `git-credential-locket` command line, apart from its stdin and stdout:
///
///     git-credential-locket [--socket PATH] (get | store | erase | capability)
///
/// git runs it as `credential.helper=locket` (or `!/path/to/git-credential-locket`),
/// with the operation as the last argument and the credential on stdin.
///
/// It never breaks git: every outcome exits 0 except a usage error. When
/// `locketd` is not running, `get` answers nothing (git then asks the user)
/// without a word, and `store`/`erase` print one warning line on stderr. Any
/// other failure (a locked vault, …) is one warning line on stderr. Unknown
/// operations are ignored, as git-credential(1) asks of helpers. `capability`
/// announces `authtype` in git's capability format (`version 0`,
/// `capability authtype`), as `git credential-cache capability` does.
public enum GitCredentialCommand {
    /// What to write and the exit status.
    public struct Outcome: Equatable, Sendable {
        public var stdout = ""
        public var stderr = ""
        public var status: Int32 = 0

        public init(stdout: String = "", stderr: String = "", status: Int32 = 0) {
            self.stdout = stdout
            self.stderr = stderr
            self.status = status
        }
    }

    public static let usage = """
        usage: git-credential-locket [--socket PATH] (get | store | erase | capability)

        A git credential helper keeping credentials in locketd (namespace "git").
        Configure it with: git config --global credential.helper locket
        The socket is PATH, else $LOCKET_SOCKET, else $XDG_RUNTIME_DIR/locket/locket.sock,
        else /tmp/locket-$UID/locket.sock.

        """

    /// Runs the command; `readLine` gives stdin's lines without their `\n`, nil at the end.
    public static func run(arguments: [String], readLine: () -> String?,
                           environment: [String: String] = ProcessEnvironment.current(only: SocketPath.environmentNames),
                           now: @escaping @Sendable () -> Date = { Date() }) -> Outcome {
        var socket: String?
        var action: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help":
                return Outcome(stdout: usage)
            case "--socket":
                guard index + 1 < arguments.count else { return Outcome(stderr: usage, status: 2) }
                socket = arguments[index + 1]
                index += 1
            default:
                if argument.hasPrefix("--socket=") {
                    socket = String(argument.dropFirst("--socket=".count))
                } else if argument.hasPrefix("-") {
                    return Outcome(stderr: "git-credential-locket: unknown option \(argument)\n" + usage, status: 2)
                } else {
                    action = argument   // git puts the operation last
                }
            }
            index += 1
        }
        guard let action else { return Outcome(stderr: usage, status: 2) }
        if action == "capability" { return Outcome(stdout: capabilities) }
        guard ["get", "store", "erase"].contains(action) else { return Outcome() }

        var lines: [String] = []
        while let line = readLine() {
            let trimmed = line.unicodeScalars.last == "\r" ? String(line.unicodeScalars.dropLast()) : line
            if trimmed.isEmpty { break }
            lines.append(trimmed)
        }
        let request = CredentialRequest.parse(lines: lines)
        let helper = CredentialHelper(connection: DaemonConnection(socketPath: socket, timeout: 3, environment: environment), now: now)

        do {
            switch action {
            case "get":
                guard let found = try helper.get(request) else { return Outcome() }
                return Outcome(stdout: CredentialAttributes.format(found.answerLines(authtypeCapable: request.announcesAuthtype)))
            case "store":
                try helper.store(request)
            default:
                try helper.erase(request)
            }
            return Outcome()
        } catch {
            if action == "get", case .locket(.daemonNotRunning) = error { return Outcome() }
            if action == "get", case .keyTooLong = error { return Outcome() }
            return Outcome(stderr: "git-credential-locket: \(action) skipped: \(oneLine(error.description))\n")
        }
    }

    /// The answer to `capability`: the protocol version and the one capability served.
    public static let capabilities = "version 0\ncapability \(CredentialRequest.authtype)\n"

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
