import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketProtocol

/// The `locket` command: one subcommand per daemon operation. `main` maps every
/// failure to one line on stderr and an exit code that scripts can rely on.
@main
struct Locket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locket",
        abstract: "Keep session values in the locketd vault.",
        discussion: """
            Values are JSON text, printed on stdout; errors go to stderr as one line.
            The daemon's socket is --socket PATH, else $LOCKET_SOCKET, else
            $XDG_RUNTIME_DIR/locket/locket.sock, else /tmp/locket-$UID/locket.sock.

            Exit codes: 0 ok, 1 not found, 2 usage error, 3 vault locked,
            4 daemon not reachable or not yours, 5 version conflict, 6 any other failure.
            """,
        version: LocketVersion.current,
        subcommands: [
            Put.self, Get.self, Delete.self, List.self, Status.self, Refresh.self,
            Lock.self, Unlock.self, Rotate.self, Audit.self, Watch.self, Allow.self, Deny.self, Rules.self, Export.self, Import.self, Ping.self,
        ]
    )

    /// `locket` alone is a usage error: scripts must say what they want.
    func run() throws {
        throw ValidationError("missing a subcommand")
    }

    /// Parses, runs, and exits with the status of `ExitStatus`. ArgumentParser's
    /// own `main` would exit 64 for usage errors; Locket's contract says 2.
    static func main() {
        if FastGet.run(Array(CommandLine.arguments.dropFirst())) { Glibc.exit(ExitStatus.ok.rawValue) }
        do {
            var command = try parseAsRoot()
            try command.run()
            Glibc.exit(ExitStatus.ok.rawValue)
        } catch let failure as Failure {
            failure.report()
        } catch {
            switch exitCode(for: error) {
            case .success:
                // --help, --version, completion scripts: ArgumentParser prints them.
                exit(withError: error)
            case .validationFailure:
                Failure(.usage, usageMessage(for: error)).report()
            case let code where error is ExitCode:
                Glibc.exit(code.rawValue)
            default:
                Failure(.other, firstLine(message(for: error))).report()
            }
        }
    }

    /// One line: ArgumentParser's message, then where to read the usage.
    private static func usageMessage(for error: Error) -> String {
        var text = firstLine(message(for: error))
        if let first = text.first, text.dropFirst().first?.isLowercase == true {
            text = first.lowercased() + text.dropFirst()
        }
        let names = configuration.subcommands.map { $0._commandName }
        let first = CommandLine.arguments.dropFirst().first
        let subcommand = first.flatMap { names.contains($0) ? $0 : nil }
        if subcommand == nil, let first, !first.hasPrefix("-") {
            text = "unknown subcommand '\(first)'"
        }
        return "\(text) (see 'locket \(subcommand.map { "\($0) " } ?? "")--help')"
    }

    private static func firstLine(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
        return line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
    }
}
