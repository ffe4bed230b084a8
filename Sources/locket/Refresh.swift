import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketClient
import LocketProtocol

/// `locket refresh NS KEY [--stale-version N] [--ttl SECONDS] -- COMMAND [ARGS...]`:
/// one refresh of a shared session, however many processes ask at once.
struct Refresh: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Refresh a shared session under a lease, or wait for whoever is refreshing it.",
        discussion: """
            Prints the fresh value on stdout. This process asks locketd for the \
            session's refresh lease. If it gets it, COMMAND runs with the current \
            value (JSON, or null when there is none) on stdin and must print the new \
            value (JSON) on stdout, which is stored under the lease (with --ttl) and \
            printed. If COMMAND fails (non-zero exit, a signal, output that is not \
            JSON, or it runs past the lease), nothing is stored, the lease is \
            released, COMMAND's stderr has been passed on, and the exit code is 6. \
            If another process holds the lease, this one waits and prints what that \
            process stored; COMMAND does not run. With --stale-version N, a live \
            version other than N is printed at once. COMMAND is killed if locket \
            exits or is killed. Exit codes as for the other subcommands; 5 when the \
            lease ended (expired, entry deleted) before the store.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String

    @Argument(help: "The key within the namespace.", completion: .custom(NameCompletion.keys))
    var key: String

    @Option(name: .customLong("stale-version"),
            help: ArgumentHelp("The version whose token was rejected: a live entry with another version is printed at once.", valueName: "n"))
    var staleVersion: Int?

    @Option(help: ArgumentHelp("Forget the stored value after this many seconds.", valueName: "seconds"))
    var ttl: Int?

    @Option(name: .customLong("lease-duration"),
            help: ArgumentHelp("Seconds COMMAND may take (the lease's duration; locketd may grant less).", valueName: "seconds"))
    var leaseDuration: Int = ProtocolLimits.defaultLeaseDuration

    @Flag(help: "Print {\"value\":…,\"version\":…,\"refreshed_here\":…} instead of the value alone (refreshed_here: this process ran COMMAND and stored its output).")
    var json = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The refresh command and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("missing the refresh COMMAND after --") }
        if let ttl, !(1...ProtocolLimits.maxTTL).contains(ttl) {
            throw ValidationError("--ttl must be a whole number of seconds from 1 to \(ProtocolLimits.maxTTL), that is 100 years")
        }
        if let staleVersion, staleVersion < 0 { throw ValidationError("--stale-version must be 0 or more") }
        guard (1...ProtocolLimits.maxLeaseDuration).contains(leaseDuration) else {
            throw ValidationError("--lease-duration must be from 1 to \(ProtocolLimits.maxLeaseDuration) seconds")
        }
    }

    func run() throws(Failure) {
        let client = connection.client()
        let result = try daemonCall(ns: ns, key: key) { () throws(LocketError) in
            try client.lease(ns: ns, key: key, staleVersion: staleVersion, duration: leaseDuration)
        }
        switch result {
        case .refreshed(let entry):
            print(entry.valueJSON, version: entry.version, here: false)
        case .granted(let lease):
            let (value, version) = try refresh(under: lease, client: client)
            print(value, version: version, here: true)
        }
    }

    private func print(_ value: [UInt8], version: Int, here: Bool) {
        guard json else { return Output.standardOutput(value + [0x0a]) }
        Output.standardOutput(jsonLine { writer in
            writer.object { object in
                object.raw("value", value)
                object.int("version", version)
                object.bool("refreshed_here", here)
            }
        })
    }

    /// Runs COMMAND under `lease` and stores what it prints; releases the lease on failure.
    private func refresh(under lease: Lease, client: LocketClient) throws(Failure) -> (value: [UInt8], version: Int) {
        let deadline = lease.expiresAt.map { max(Date(timeIntervalSinceNow: 1), $0) }
            ?? Date(timeIntervalSinceNow: Double(lease.duration))
        let outcome = RefreshChild.run(command, input: lease.entry?.valueJSON ?? Array("null".utf8), deadline: deadline)
        let failure: String? = switch outcome.status {
        case .exited(0): nil
        case .exited(let code): "the refresh command exited with status \(code)"
        case .signalled(let number): "the refresh command was killed by signal \(number)"
        case .overran: "the refresh command ran past the lease (\(lease.duration) s); it was killed"
        case .notStarted(let why): "cannot run the refresh command: \(why)"
        }
        var valueJSON: [UInt8] = []
        var problem = failure
        if problem == nil {
            do {
                valueJSON = try ValueInput.prepare(outcome.output, from: "the refresh command's output")
            } catch {
                problem = "the refresh command printed no valid JSON value (\(error.message))"
            }
        }
        if let problem {
            _ = try? client.release(lease)
            throw Failure(.other, problem + "; nothing was stored")
        }
        let stored: PutResult
        do {
            stored = try client.store(valueJSON: valueJSON, under: lease, ttl: ttl)
        } catch .conflict {
            throw Failure(.conflict, "the lease ended before the refreshed value could be stored (it expired, or the entry was deleted); nothing was stored")
        } catch {
            _ = try? client.release(lease)
            throw Failure(error)
        }
        return (valueJSON, stored.version)
    }
}
