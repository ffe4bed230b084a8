import Foundation
import LocketTestSupport

/// `PRAGMA integrity_check` on a database file, by the `sqlite3` command
/// (scripts/bootstrap installs it), read-only: it reads beside the running daemon.
enum IntegrityCheck {
    /// "ok", or what is wrong (SQLite's own words, or why it could not run).
    static func run(database: String) -> String {
        guard let sqlite3 = executable("sqlite3") else { return "the sqlite3 command is not installed (run scripts/bootstrap)" }
        do {
            let output = try Subprocess.run(sqlite3, ["-readonly", database, "PRAGMA integrity_check;"], timeout: 120)
            let answer = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if output.status == 0 && answer == "ok" { return "ok" }
            return "sqlite3 exited \(output.status): \(answer.prefix(500)) \(output.stderr.prefix(500))"
        } catch {
            return "cannot run sqlite3: \(error)"
        }
    }

    private static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return (path.split(separator: ":") + ["/usr/bin"]).map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
