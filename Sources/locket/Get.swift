import ArgumentParser
import LocketClient
import LocketProtocol

/// `locket get NS KEY`: prints the stored JSON text.
struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the value stored under a namespace and key.",
        discussion: "Prints the exact JSON text stored. Exits 1 when there is no live entry.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String

    @Argument(help: "The key within the namespace.", completion: .custom(NameCompletion.keys))
    var key: String

    @Flag(help: "Print the whole entry as JSON: value, version, created_at, updated_at, expires_at.")
    var json = false

    @Option(help: ArgumentHelp("Print only this member of an object value (exit 1 when it has none).", valueName: "name"))
    var field: String?

    @Flag(help: "Print a string value (or --field member) as its text, without JSON quotes and escapes.")
    var raw = false

    func validate() throws {
        if json, field != nil || raw { throw ValidationError("--json prints the whole entry: not with --field or --raw") }
    }

    func run() throws(Failure) {
        let client = connection.client()
        let entry = try daemonCall(ns: ns, key: key) { () throws(LocketError) in try client.get(ns: ns, key: key) }
        guard json else {
            var value = entry.valueJSON
            if let field { value = try ValueSelection.member(field, of: value, in: "\(ns)/\(key)") }
            if raw { value = try ValueSelection.text(of: value, what: field.map { "member \"\($0)\"" } ?? "the value") }
            Output.standardOutput(value + [0x0a])
            return
        }
        let answer = Answer.Entry(value: entry.valueJSON, version: entry.version, createdAt: entry.createdAt,
                                  updatedAt: entry.updatedAt, expiresAt: entry.expiresAt)
        Output.standardOutput(answer.object + [0x0a])
    }
}
