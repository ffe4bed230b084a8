import ArgumentParser
import LocketClient

/// `locket delete NS KEY`: removes an entry.
struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete the entry under a namespace and key.",
        discussion: "Exits 1 when there was no live entry to delete.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String

    @Argument(help: "The key within the namespace.", completion: .custom(NameCompletion.keys))
    var key: String

    @Option(name: .customLong("if-version"),
            help: ArgumentHelp("Delete only if the live entry has this version.", valueName: "n"))
    var ifVersion: Int?

    func validate() throws {
        if let ifVersion, ifVersion < 0 { throw ValidationError("--if-version must be 0 or more") }
    }

    func run() throws(Failure) {
        let client = connection.client()
        let deleted = try daemonCall { () throws(LocketError) in
            try client.delete(ns: ns, key: key, ifVersion: ifVersion)
        }
        if !deleted { throw Failure.notFound(ns: ns, key: key) }
    }
}
