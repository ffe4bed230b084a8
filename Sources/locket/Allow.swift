import ArgumentParser
import LocketClient

/// `locket allow NS PROGRAM [--pin-hash]`: only the listed programs may use NS.
struct Allow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Allow a program to use a namespace; once a namespace has a rule, other programs get 'forbidden'.",
        discussion: """
            PROGRAM is looked up in PATH like 'command -v' and resolved to its real path (symlinks
            followed), the path the kernel reports for a running program. With --pin-hash the daemon
            also records the SHA-256 of the file now, and a program at that path whose content
            differs is refused (after an upgrade, run 'locket allow' again). This keeps other programs
            of your user from reading the namespace through the daemon; it does not stop code running
            as your user that can debug an allowed program or run 'locket deny'. See 'locket rules'.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String

    @Argument(help: "The program: a name found in PATH, or a path.", completion: .file())
    var program: String

    @Flag(help: "Also pin the program's content (SHA-256 of the file as it is now).")
    var pinHash = false

    func run() throws(Failure) {
        guard let path = ProgramPath.resolve(program) else {
            throw .usage("no executable file '\(program)' (looked up in PATH when it has no '/')")
        }
        let client = connection.client()
        let result = try daemonCall { () throws(LocketError) in try client.allow(ns: ns, path: path, hashNow: pinHash) }
        Output.line("allowed: \(path)\(result.sha256.map { " (sha256 \($0))" } ?? "") may use \(ns)"
            + (result.created ? " (new rule: other programs are now refused)" : ""))
    }
}
