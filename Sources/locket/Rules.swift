import ArgumentParser
import LocketClient
import LocketProtocol

/// `locket rules [NS]`: which programs may use which namespaces.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the access rules: for each namespace with a rule, the programs allowed to use it.",
        discussion: "A namespace with no rule is open to every program of your user.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Only this namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String?

    @Flag(help: "Print a JSON array of {ns, programs: [{path, sha256}]} (a program named by sandbox identity has path null and flatpak, snap or label).")
    var json = false

    func run() throws(Failure) {
        let client = connection.client()
        let rules = try daemonCall { () throws(LocketError) in try client.rules(ns: ns) }
        if json {
            Output.standardOutput(jsonLine { writer in
                writer.array { array in
                    for rule in rules {
                        array.object { object in
                            object.string("ns", rule.ns)
                            object.objects("programs", rule.programs) { element, program in
                                Answer.Program(path: program.path.isEmpty ? nil : program.path, flatpak: program.flatpak,
                                               snap: program.snap, label: program.label, sha256: program.sha256).write(to: &element)
                            }
                        }
                    }
                }
            })
            return
        }
        let header = ["NS", "PROGRAM", "SHA256"]
        let rows = rules.flatMap { rule in rule.programs.map { [rule.ns, $0.subject, $0.sha256 ?? "-"] } }
        Output.standardOutput(table([header] + rows))
    }
}
