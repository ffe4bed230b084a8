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
            let elements = items.map { item in
                var object = JSONObject()
                object.string("ns", item.ns)
                object.string("key", item.key)
                object.int("version", item.version)
                object.timestamp("created_at", item.createdAt)
                object.timestamp("updated_at", item.updatedAt)
                object.timestamp("expires_at", item.expiresAt)
                return object.json
            }
            Output.standardOutput(jsonArray(elements) + [0x0a])
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
