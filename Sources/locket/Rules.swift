import ArgumentParser
import LocketClient

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
            let elements = rules.map { rule in
                var object = JSONObject()
                object.string("ns", rule.ns)
                object.raw("programs", jsonArray(rule.programs.map { program in
                    var element = JSONObject()
                    element.string("path", program.path.isEmpty ? nil : program.path)
                    if let flatpak = program.flatpak { element.string("flatpak", flatpak) }
                    if let snap = program.snap { element.string("snap", snap) }
                    if let label = program.label { element.string("label", label) }
                    element.string("sha256", program.sha256)
                    return element.json
                }))
                return object.json
            }
            Output.standardOutput(jsonArray(elements) + [0x0a])
            return
        }
        let header = ["NS", "PROGRAM", "SHA256"]
        let rows = rules.flatMap { rule in rule.programs.map { [rule.ns, $0.subject, $0.sha256 ?? "-"] } }
        Output.standardOutput(table([header] + rows))
    }
}
