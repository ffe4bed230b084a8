import Foundation

/// The command line of `locket-soak`. No ArgumentParser: the driver links only
/// the client, the protocol and the test support.
struct SoakOptions: Sendable {
    /// Kill-and-restart cycles.
    var cycles = 10
    /// Concurrent client threads, each with its own connection and its own keys.
    var clients = 8
    /// The `locketd` to run; nil: the one built next to this binary.
    var locketd: String?
    /// Seeds every random choice (the operations, values and kill delays; not the threads' interleaving).
    var seed = UInt64(UInt32.random(in: 0...UInt32.max))
    /// Where to copy the daemon's folder (data, key file, log) at the end; nil: it is removed.
    var keep: String?
    /// Tamper with the store behind the driver's back after the first restart: the run must fail.
    var selfTest = false
    /// Keys per client.
    var keysPerClient = 48
    /// Bounds of the random delay from the clients' start to the SIGKILL, in milliseconds.
    var killDelay: ClosedRange<Int> = 50...1500
    /// Percent of restarts that are first killed again during start-up (0-300 ms after the spawn),
    /// while the daemon opens and recovers the store.
    var startupKillPercent = 10

    static let usage = """
        usage: locket-soak [--cycles N] [--clients C] [--locketd PATH] [--seed S] [--keep DIR]
                           [--keys-per-client K] [--kill-delay MIN-MAX] [--startup-kills PERCENT]
                           [--self-test]

        Starts locketd (file key store, temporary data folder and socket), runs C client
        threads that put and delete their own keys, SIGKILLs the daemon at a random moment,
        restarts it on the same data folder and checks that every acknowledged write is there
        with its last acknowledged value and version, that a request in flight at the kill
        took effect completely or not at all, and that the store opens cleanly. N cycles.
        Exit status: 0 when nothing was lost or differed, 1 otherwise, 2 for a usage error.
          --cycles N            kill-and-restart cycles (default 10)
          --clients C           concurrent clients (default 8)
          --locketd PATH        the daemon binary (default: locketd next to this program)
          --seed S              seed of the random choices (default: random, printed)
          --keep DIR            copy the daemon's folder (data, key file, log) to DIR at the end
          --keys-per-client K   keys each client owns (default 48)
          --kill-delay MIN-MAX  milliseconds from the clients' start to the kill (default 50-1500)
          --startup-kills P     percent of restarts killed again 0-300 ms after the spawn,
                                during start-up and recovery (default 10)
          --self-test           tamper with the store after the first restart (delete, alter
                                and add an entry): the checker must report it and exit 1
        """

    enum ParseError: Error, CustomStringConvertible {
        case message(String)
        var description: String { if case .message(let text) = self { text } else { "" } }
    }

    /// Parses `arguments` (without the program name). `nil` with `--help`.
    static func parse(_ arguments: [String]) throws(ParseError) -> SoakOptions? {
        var options = SoakOptions()
        var rest = arguments[...]
        func value(_ name: String) throws(ParseError) -> String {
            guard let next = rest.popFirst() else { throw .message("\(name) needs a value") }
            return next
        }
        func positive(_ name: String) throws(ParseError) -> Int {
            let text = try value(name)
            guard let number = Int(text), number > 0 else { throw .message("\(name): not a positive integer: \(text)") }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--cycles": options.cycles = try positive(argument)
            case "--clients": options.clients = try positive(argument)
            case "--keys-per-client": options.keysPerClient = try positive(argument)
            case "--locketd": options.locketd = try value(argument)
            case "--keep": options.keep = try value(argument)
            case "--self-test": options.selfTest = true
            case "--startup-kills":
                let text = try value(argument)
                guard let percent = Int(text), (0...100).contains(percent) else { throw .message("--startup-kills: not a percentage: \(text)") }
                options.startupKillPercent = percent
            case "--seed":
                let text = try value(argument)
                guard let seed = UInt64(text) else { throw .message("--seed: not an unsigned integer: \(text)") }
                options.seed = seed
            case "--kill-delay":
                let text = try value(argument)
                let bounds = text.split(separator: "-").compactMap { Int($0) }
                guard bounds.count == 2, bounds[0] >= 0, bounds[0] <= bounds[1] else {
                    throw .message("--kill-delay: expected MIN-MAX in milliseconds, such as 50-1500: \(text)")
                }
                options.killDelay = bounds[0]...bounds[1]
            case "-h", "--help": return nil
            default: throw .message("unknown argument: \(argument)")
            }
        }
        return options
    }
}
