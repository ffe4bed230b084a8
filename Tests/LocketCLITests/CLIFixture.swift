// Runs the real `locket` binary, against a real `locketd` started for the
// test, and compares stdout, stderr and the exit code with golden text.
import Foundation
import LocketTestSupport
import Testing

/// The built `locket`.
let locketBinary = Subprocess.product("locket")

/// The test process's environment without anything that could point `locket`
/// at a daemon other than the test's own.
func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "LOCKET_SOCKET")
    environment.removeValue(forKey: "XDG_RUNTIME_DIR")
    return environment.merging(extra) { $1 }
}

/// Runs `locket` with exactly `arguments`.
func runLocket(_ arguments: [String], environment: [String: String] = cleanEnvironment(),
               input: String? = nil) throws -> ProcessOutput {
    try Subprocess.run(locketBinary, arguments, environment: environment, input: input, timeout: 20)
}

/// A fresh daemon (file key store, empty vault) and `locket` pointed at it.
final class CLI: Sendable {
    let daemon: Daemon

    init() throws {
        daemon = try Daemon.started()
    }

    /// `locket` pointed at `daemon` (started or not).
    init(daemon: Daemon) {
        self.daemon = daemon
    }

    var socket: String { daemon.socketPath }

    /// `locket SUBCOMMAND --socket S REST…`.
    func run(_ subcommand: String, _ rest: String..., input: String? = nil) throws -> ProcessOutput {
        try runLocket([subcommand, "--socket", socket] + rest, input: input)
    }

    /// Puts a value and checks that it worked (a set-up step).
    func put(_ ns: String, _ key: String, _ value: String, _ options: String...,
             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try runLocket(["put", "--socket", socket, ns, key, value] + options)
        expectGolden(result, status: 0, sourceLocation: sourceLocation)
    }

    /// Replaces what differs from run to run: the daemon's folder and times.
    func normalized(_ text: String) -> String {
        normalize(text.replacingOccurrences(of: daemon.folder.path, with: "<dir>"))
    }
}

/// A timestamp in output becomes this placeholder (same width, so tables stay aligned).
let timestampPlaceholder = "YYYY-MM-DDTHH:MM:SSZ"

/// Timestamps become `timestampPlaceholder`; uptimes become `<uptime>`.
func normalize(_ text: String) -> String {
    text.replacing(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/, with: timestampPlaceholder)
        .replacing(/"uptime_s":\d+/, with: #""uptime_s":<uptime>"#)
        .replacing(/(?m)^uptime:    \d+s$/, with: "uptime:    <uptime>")
}

/// Exact stdout, stderr and exit status, after `normalize` (the golden text
/// uses `timestampPlaceholder` for times).
func expectGolden(_ result: ProcessOutput, status: Int32, stdout: String = "", stderr: String = "",
                  normalizing: (String) -> String = normalize,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == status, "exit status; stderr: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(normalizing(result.stdout) == stdout, "stdout", sourceLocation: sourceLocation)
    #expect(normalizing(result.stderr) == stderr, "stderr", sourceLocation: sourceLocation)
}

extension CLI {
    func expect(_ result: ProcessOutput, status: Int32, stdout: String = "", stderr: String = "",
                sourceLocation: SourceLocation = #_sourceLocation) {
        expectGolden(result, status: status, stdout: stdout, stderr: stderr, normalizing: normalized,
                     sourceLocation: sourceLocation)
    }
}

/// The hint printed with exit 4.
let startHint = "locket: start it with: systemctl --user start locketd.socket   (or run: locketd &)\n"
