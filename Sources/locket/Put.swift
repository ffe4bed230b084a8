import ArgumentParser
import LocketClient
import LocketProtocol

/// `locket put NS KEY [VALUE]`: stores a JSON value.
struct Put: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store a JSON value under a namespace and key.",
        discussion: """
            The value is JSON text: '"text"' (quotes included), '42', '{"a":[1,2]}'. \
            Without VALUE, or with '-', it is read from stdin; --file reads it from a file. \
            A value on one line is stored byte for byte; a multi-line one is stored compacted. \
            A negative number needs '--' before it: locket put app n -- -5
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The namespace (an app name, say).", completion: .custom(NameCompletion.namespaces))
    var ns: String

    @Argument(help: "The key within the namespace.", completion: .custom(NameCompletion.keys))
    var key: String

    @Argument(help: ArgumentHelp("The value as JSON text; '-' or nothing reads stdin.", valueName: "value"))
    var value: String?

    @Option(help: ArgumentHelp("Read the value from a file.", valueName: "path"), completion: .file())
    var file: String?

    @Option(help: ArgumentHelp("Store this text as a JSON string (no quoting needed).", valueName: "text"))
    var text: String?

    @Option(help: ArgumentHelp("Forget the entry after this many seconds.", valueName: "seconds"))
    var ttl: Int?

    @Option(name: .customLong("if-version"),
            help: ArgumentHelp("Store only if the live entry has this version (0: only if absent).", valueName: "n"))
    var ifVersion: Int?

    @Flag(help: "Print the result as JSON: {\"created\":…,\"version\":…,\"expires_at\":…}.")
    var json = false

    func validate() throws {
        if file != nil, value != nil, value != "-" {
            throw ValidationError("give the value as an argument or with --file, not both")
        }
        if text != nil, file != nil || value != nil {
            throw ValidationError("give the value with --text, as an argument or with --file: only one")
        }
        if let ttl, !(1...ProtocolLimits.maxTTL).contains(ttl) {
            throw ValidationError("--ttl must be a whole number of seconds from 1 to \(ProtocolLimits.maxTTL), that is 100 years")
        }
        if let ifVersion, ifVersion < 0 {
            throw ValidationError("--if-version must be 0 or more")
        }
    }

    func run() throws(Failure) {
        let input: [UInt8], source: String
        if let text {
            var quoted: [UInt8] = []
            Escaping.appendString(text, to: &quoted)
            input = quoted
            source = "--text"
        } else if let file {
            input = try ValueInput.readFile(file)
            source = file
        } else if let value, value != "-" {
            input = Array(value.utf8)
            source = "the VALUE argument"
        } else {
            input = try ValueInput.readStandardInput()
            source = "stdin"
        }
        let valueJSON = try ValueInput.prepare(input, from: source)
        let client = connection.client()
        let result = try daemonCall { () throws(LocketError) in
            try client.put(ns: ns, key: key, valueJSON: valueJSON, ttl: ttl, ifVersion: ifVersion)
        }
        guard json else { return }
        let answer = Answer.Put(created: result.created, version: result.version, expiresAt: result.expiresAt)
        Output.standardOutput(answer.object + [0x0a])
    }
}
