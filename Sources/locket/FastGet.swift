import LocketClient

/// `locket get NS KEY` without the command-line parser, for scripts and helpers
/// that start `locket` once per lookup: parsing through ArgumentParser costs a
/// process more than the lookup itself (its dynamic casts make the Swift runtime
/// scan every protocol conformance in the binary).
///
/// Only the plain shapes are taken: `get NS KEY`, with or without one
/// `--socket PATH` (or `--socket=PATH`) anywhere after `get`, and no other
/// flag; anything else returns false before a byte is sent, and the full parser
/// runs the command. The request, the output and every failure (through
/// `daemonCall` and `Failure.report`) are `Get`'s own, so messages, exit codes
/// and the one audit record a lookup leaves are the same either way.
enum FastGet {
    /// Serves `arguments` (without the program name) if it is a plain `get`, and
    /// exits on failure; false (nothing sent) to let the full parser run it.
    static func run(_ arguments: [String]) -> Bool {
        guard let (socket, ns, key) = parse(arguments) else { return false }
        let client = LocketClient(socketPath: socket, timeout: ConnectionOptions.answerTimeout)
        do {
            let entry = try daemonCall(ns: ns, key: key) { () throws(LocketError) in try client.get(ns: ns, key: key) }
            Output.standardOutput(entry.valueJSON + [0x0a])
            return true
        } catch {
            error.report()
        }
    }

    /// `(socket, ns, key)` for the shapes served here, else nil.
    static func parse(_ arguments: [String]) -> (socket: String?, ns: String, key: String)? {
        var rest = arguments[...]
        guard rest.popFirst() == "get" else { return nil }
        var socket: String?
        var names: [String] = []
        while let argument = rest.popFirst() {
            if argument == "--socket" {
                guard socket == nil, let path = rest.popFirst() else { return nil }
                socket = path
            } else if argument.hasPrefix("--socket=") {
                guard socket == nil else { return nil }
                socket = String(argument.dropFirst("--socket=".count))
            } else if argument.hasPrefix("-") {
                return nil
            } else {
                names.append(argument)
            }
        }
        guard names.count == 2 else { return nil }
        return (socket, names[0], names[1])
    }
}
