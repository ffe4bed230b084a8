import ArgumentParser
import LocketClient

/// `locket ping`: checks the daemon answers.
struct Ping: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that locketd answers (prints 'pong').")

    @OptionGroup var connection: ConnectionOptions

    func run() throws(Failure) {
        let client = connection.client()
        try daemonCall { () throws(LocketError) in try client.ping() }
        Output.line("pong")
    }
}
