import ArgumentParser
import LocketClient

/// `locket allow NS PROGRAM [--pin-hash]` or `locket allow NS --flatpak ID|--snap NAME|--label LABEL`:
/// only the listed programs may use NS.
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

            Instead of PROGRAM, --flatpak ID, --snap NAME or --label LABEL names a program by the
            identity its sandbox gives it, which the program cannot change (a path or hash rule
            does not stop a program that connects first and then runs the allowed program).
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String

    @Argument(help: "The program: a name found in PATH, or a path.", completion: .file())
    var program: String?

    @OptionGroup var sandbox: SandboxOptions

    @Flag(help: "Also pin the program's content (SHA-256 of the file as it is now).")
    var pinHash = false

    func run() throws(Failure) {
        if let identity = try sandbox.identity() {
            guard program == nil, !pinHash else { throw .usage("give PROGRAM (with --pin-hash) or --flatpak, --snap or --label, not both") }
            let client = connection.client()
            let result = try daemonCall { () throws(LocketError) in try client.allow(ns: ns, sandbox: identity) }
            Output.line(Printable.escape("allowed: \(SandboxOptions.describe(identity)) may use \(ns)")
                + (result.created ? " (new rule: other programs are now refused)" : ""))
            return
        }
        guard let program else { throw .usage("give PROGRAM, or --flatpak, --snap or --label") }
        guard let path = ProgramPath.resolve(program) else {
            throw .usage("no executable file '\(program)' (looked up in PATH when it has no '/')")
        }
        let client = connection.client()
        let result = try daemonCall { () throws(LocketError) in try client.allow(ns: ns, path: path, hashNow: pinHash) }
        Output.line(Printable.escape("allowed: \(path)\(result.sha256.map { " (sha256 \($0))" } ?? "") may use \(ns)")
            + (result.created ? " (new rule: other programs are now refused)" : ""))
    }
}
