import ArgumentParser
import LocketClient

/// `locket rotate`: a new master key, every entry re-wrapped under it.
struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a new master key and re-wrap every entry under it.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws(Failure) {
        let client = connection.client()
        let count = try daemonCall { () throws(LocketError) in try client.rotate() }
        Output.line("rotated: \(count) entries re-wrapped")
    }
}
