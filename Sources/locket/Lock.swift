import ArgumentParser
import LocketClient

/// `locket lock`: the master key leaves the daemon's memory.
struct Lock: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lock the vault: reads and writes fail (exit 3) until 'locket unlock'.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws(Failure) {
        let client = connection.client()
        try daemonCall { () throws(LocketError) in try client.lock() }
    }
}
