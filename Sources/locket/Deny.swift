import ArgumentParser
import LocketClient

/// `locket deny NS [PROGRAM]`: takes a program out of a namespace's rule, or removes the rule.
struct Deny: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a program out of a namespace's rule, or with no PROGRAM remove the rule.",
        discussion: """
            When the last program is taken out, the rule is gone and the namespace is open to every
            program of your user again, as it was before any 'locket allow'.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String

    @Argument(help: "The program (a name found in PATH, or a path); all programs if omitted.", completion: .file())
    var program: String?

    @OptionGroup var sandbox: SandboxOptions

    func run() throws(Failure) {
        if let identity = try sandbox.identity() {
            guard program == nil else { throw .usage("give PROGRAM or --flatpak, --snap or --label, not both") }
            let client = connection.client()
            let result = try daemonCall { () throws(LocketError) in try client.deny(ns: ns, sandbox: identity) }
            let what = SandboxOptions.describe(identity)
            if result.removed == 0 { throw Failure(.notFound, Printable.escape("\(ns) has no rule allowing \(what)")) }
            Output.line(Printable.escape(result.programs.isEmpty
                ? "removed the rule for \(ns): every program may use it again"
                : "denied: \(what) may no longer use \(ns)"))
            return
        }
        var path: String?
        if let program {
            // A program that is gone can still be taken out by its absolute path.
            guard let resolved = ProgramPath.resolve(program) ?? (program.hasPrefix("/") ? program : nil) else {
                throw .usage("no executable file '\(program)' (give the absolute path shown by 'locket rules')")
            }
            path = resolved
        }
        let client = connection.client()
        let result = try daemonCall { () throws(LocketError) in try client.deny(ns: ns, path: path) }
        if result.removed == 0 {
            throw Failure(.notFound, path.map { "\(ns) has no rule allowing \($0)" } ?? "\(ns) has no rule")
        }
        Output.line(Printable.escape(result.programs.isEmpty
            ? "removed the rule for \(ns): every program may use it again"
            : "denied: \(path ?? "") may no longer use \(ns)"))
    }
}
