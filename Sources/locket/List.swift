import ArgumentParser
import LocketClient
import LocketProtocol

/// `locket list [NS]`: names and metadata, never values.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List entries (names, versions and times; never values).",
        discussion: "A table sorted by namespace and key, or with --json an array of items.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Only this namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String?

    @Flag(help: "Print a JSON array of {ns, key, version, created_at, updated_at, expires_at}.")
    var json = false

    func run() throws(Failure) {
        let client = connection.client()
        let items = try daemonCall { () throws(LocketError) in try client.list(ns: ns) }
        if json {
            Output.standardOutput(jsonLine { writer in
                writer.array { array in
                    for item in items {
                        let listed = Answer.List.Item(ns: item.ns, key: item.key, version: item.version, createdAt: item.createdAt,
                                                      updatedAt: item.updatedAt, expiresAt: item.expiresAt)
                        array.object { listed.write(to: &$0) }
                    }
                }
            })
            return
        }
        let header = ["NS", "KEY", "VERSION", "UPDATED", "EXPIRES"]
        let rows = items.map { item in
            [item.ns, item.key, String(item.version),
             item.updatedAt.map(Timestamp.format) ?? "-", item.expiresAt.map(Timestamp.format) ?? "-"]
        }
        Output.standardOutput(table([header] + rows))
    }
}
