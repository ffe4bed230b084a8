import LocketClient
import LocketProtocol

/// The `docker-credential-locket` command line, apart from its stdin and
/// stdout, speaking docker's credential-helper protocol as the reference
/// helpers do (docker/docker-credential-helpers `credentials/credentials.go`):
///
///     docker-credential-locket (store | get | erase | list | version)
///
/// - `store`: stdin is `{"ServerURL":…,"Username":…,"Secret":…}`.
/// - `get`: stdin is the server URL (surrounding blanks trimmed); prints
///   `{"ServerURL":…,"Username":…,"Secret":…}` and a newline.
/// - `erase`: stdin is the server URL.
/// - `list`: prints `{"URL":"username",…}` (keys in byte order), `{}` when empty; stdin is not read.
/// - `version`, `--version`, `-v`: the name and version.
///
/// Every failure prints one line on **stdout** (where docker reads it) and
/// exits 1; for an unknown server `get` prints docker's
/// `credentials not found in native keychain`. Input is read as the Go
/// helpers read it: line by line, the lines joined without their line breaks.
/// The socket is `$LOCKET_SOCKET`, else `$XDG_RUNTIME_DIR/locket/locket.sock`,
/// else `/tmp/locket-$UID/locket.sock`.
public enum DockerCredentialCommand {
    /// What to write on stdout and the exit status.
    public struct Outcome: Equatable, Sendable {
        public var stdout: String
        public var status: Int32

        public init(stdout: String = "", status: Int32 = 0) {
            self.stdout = stdout
            self.status = status
        }
    }

    public static let name = "docker-credential-locket"
    public static let version = LocketVersion.current
    public static let usage = "Usage: \(name) <store|get|erase|list|version>\n"
    /// The longest input line docker's Go helpers read (bufio.Scanner's limit, newline included).
    static let maximumLineBytes = 64 * 1024
    /// The most input read: more is refused (`inputTooLarge`) rather than held in memory.
    public static let maximumInputBytes = 4 * 1024 * 1024

    /// Runs the command; `readInput` gives stdin, all of it or at least
    /// `maximumInputBytes + 1` bytes (called only by the verbs that read it).
    /// `environment` needs only `LOCKET_SOCKET` and `XDG_RUNTIME_DIR`.
    public static func run(arguments: [String], readInput: () -> [UInt8], environment: [String: String]) -> Outcome {
        guard arguments.count == 1 else { return Outcome(stdout: usage, status: 1) }
        let action = arguments[0]
        switch action {
        case "--version", "-v", "version": return Outcome(stdout: "\(name) (locket) \(version)\n")
        case "--help", "-h": return Outcome(stdout: usage)
        case "store", "get", "erase", "list": break
        default: return Outcome(stdout: "\(name): unknown action: \(action)\n", status: 1)
        }
        let helper = DockerCredentialHelper(client: LocketClient(socketPath: nil, timeout: 3, environment: environment))
        do throws(DockerCredentialError) {
            switch action {
            case "store":
                try helper.store(try DockerCredentials.parse(try joinedLines(readInput())))
                return Outcome()
            case "get":
                let found = try helper.get(try serverURL(readInput()))
                return Outcome(stdout: found.json + "\n")
            case "erase":
                try helper.erase(try serverURL(readInput()))
                return Outcome()
            default:
                let entries = try helper.list()
                let members = entries.map { GoJSON.string($0.serverURL) + ":" + GoJSON.string($0.username) }
                return Outcome(stdout: "{" + members.joined(separator: ",") + "}\n")
            }
        } catch {
            return Outcome(stdout: oneLine(error.description) + "\n", status: 1)
        }
    }

    /// stdin as the Go helpers read it: the lines (without `\n`, and without a
    /// `\r` before it) joined into one text; a line over 64 KiB is an error.
    static func joinedLines(_ input: [UInt8]) throws(DockerCredentialError) -> [UInt8] {
        guard input.count <= maximumInputBytes else { throw .inputTooLarge(maximumInputBytes) }
        var joined: [UInt8] = []
        joined.reserveCapacity(input.count)
        for line in input.split(separator: 0x0A, omittingEmptySubsequences: false) {
            guard line.count < maximumLineBytes else { throw .lineTooLong }
            joined += line.last == 0x0D ? line.dropLast() : line[...]
        }
        return joined
    }

    /// The server URL of `get` and `erase`: the joined lines with surrounding white space trimmed (Go's `strings.TrimSpace`).
    static func serverURL(_ input: [UInt8]) throws(DockerCredentialError) -> String {
        let text = String(decoding: try joinedLines(input), as: UTF8.self).unicodeScalars
        guard let first = text.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = text.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(text[first...last])
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
