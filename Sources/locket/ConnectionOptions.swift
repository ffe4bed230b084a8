import ArgumentParser
import LocketClient

/// Flags every subcommand takes (one `@OptionGroup`).
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemon's socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).",
            valueName: "path"),
        completion: .file())
    var socket: String?

    /// Seconds to wait for an answer. Connecting needs no wait: with no daemon
    /// the socket refuses at once, so `locket` fails in milliseconds.
    static let answerTimeout: Double = 10

    /// A client for the chosen socket; nil resolves `LOCKET_SOCKET` and the defaults.
    func client() -> LocketClient {
        LocketClient(socketPath: socket, timeout: Self.answerTimeout)
    }
}
