import ArgumentParser
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto
import LocketKeyStore
import LocketProtocol
import LocketServer
import LocketStore
import Logging
import NIOCore

/// `locketd`: the Locket daemon. Serves protocol v1 on a Unix socket.
@main
struct Locketd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locketd",
        abstract: "The Locket session vault daemon: sealed sessions over a Unix socket (protocol v1).",
        version: LocketVersion.current)

    @Option(help: "Socket path (default: $LOCKET_SOCKET, else $XDG_RUNTIME_DIR/locket/locket.sock, else /tmp/locket-$UID/locket.sock).")
    var socket: String?

    @Option(help: "Data folder (default: $XDG_DATA_HOME/locket, i.e. ~/.local/share/locket).")
    var dataDir: String?

    @Option(help: "Where the master key lives: auto, secret-service, file, passphrase or tpm2.")
    var keyStore: String = "auto"

    @Option(help: "How the tpm2 key store reaches the TPM, as a tpm2-tss TCTI (default: $TSS2_TCTI, else device:/dev/tpmrm0).")
    var tpmTcti: String?

    @Option(help: "Bind a new tpm2 seal to these SHA-256 PCRs too, e.g. 7 or 0,7 (default: none). It then unseals only while they keep their values: see README before a firmware update.")
    var tpmPcrs: String?

    @Option(help: "File whose first line is the passphrase (passphrase key store): needed to create such a vault; for an existing one it unlocks at start instead of waiting for `locket unlock`.")
    var passphraseFile: String?

    @Option(help: "Lock the vault (the master key leaves memory) after this many idle minutes; 0 never.")
    var idleLock: Double = 0

    @Option(help: "Exit after this many seconds with no connection and no request (for socket activation: the socket starts locketd again); 0 never.")
    var exitWhenIdle: Double = 0

    @Option(help: "Close a connection with no request for this many seconds.")
    var idleTimeout: Int = 300

    @Option(help: "Most client connections at once.")
    var maxConnections: Int = 1024

    @Option(help: "Most bytes buffered across all connections (unfinished request lines, answers not yet written); past it requests are answered unavailable. Default 64 MiB.")
    var maxBufferedBytes: Int = 64 << 20

    @Option(help: "The longest refresh lease granted, in seconds (a `lease` asks for \(ProtocolLimits.defaultLeaseDuration) by default, at most \(ProtocolLimits.maxLeaseDuration)).")
    var leaseMaxDuration: Int = 300

    @Flag(help: "Keep no access audit log (audit.log in the data folder) and log no per-access line.")
    var noAudit = false

    @Option(help: "Rotate audit.log to audit.log.1 past this many bytes (so at most about twice it on disk).")
    var auditMaxBytes: Int = 4 << 20

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    mutating func run() throws {
        // Before any thread starts: tpm2-tss's stderr lines off (the vault reports TPM failures itself).
        TPM2KeyStore.quietLibraryLogging()
        // Signals first: a SIGTERM that arrives while starting must still mean "shut down cleanly".
        // Blocked here, before any thread exists, so every thread inherits the block: a SIGTERM
        // from now on stays pending until the Dispatch source's signalfd reads it, however late
        // that source gets registered (Dispatch registers it on a thread of its own, sometimes
        // tens of ms later). Ignoring them instead (SIG_IGN) lost every SIGTERM sent before
        // the registration: the daemon then ran until SIGKILL.
        SignalBlock.terminationSignals()
        // Before any thread starts: memory a burst freed must be able to go back to the system.
        let heapFixed = LocketServer.fixHeapThresholds()
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in SignalBlock.termination {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        umask(0o077)
        let hygiene = ProcessHygiene.apply()
        // systemd gives user services a soft limit of 1024 descriptors: too few for --max-connections 1024.
        DescriptorLimit.raiseSoftToHard()
        let environment = ProcessInfo.processInfo.environment
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let choice = KeyStoreChoice(rawValue: keyStore) else {
            throw ValidationError("--key-store must be one of: \(KeyStoreChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let pcrs = try Self.pcrList(tpmPcrs)
        let journal = environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level, journal: journal) }
        let logger = Logger(label: "locketd")
        if !heapFixed {
            logger.warning("could not fix the heap's mmap and trim thresholds: memory freed after a burst may stay resident")
        }
        if !hygiene.dumpableOff || !hygiene.coreLimitZero {
            logger.warning("process hygiene incomplete", metadata: ["dumpable_off": "\(hygiene.dumpableOff)", "core_limit_zero": "\(hygiene.coreLimitZero)"])
        }

        let target = Self.listenTarget(explicit: socket, environment: environment)
        let dataDirectory = dataDir ?? Self.defaultDataDirectory(environment)
        let passphrase: SecureKey?
        do {
            passphrase = try passphraseFile.map { path throws in try PassphraseFile.read(path) }
        } catch {
            logger.critical("cannot open the vault", metadata: ["data_dir": "\(dataDirectory)", "error": "\(error)"])
            throw ExitCode(1)
        }
        let vault = VaultConfiguration(dataDirectory: dataDirectory, keyStore: choice, passphrase: passphrase,
                                       tpmTCTI: TPM2KeyStore.tcti(explicit: tpmTcti, environment: environment),
                                       tpmPCRs: pcrs)
        var server = ServerConfiguration(target: target, logger: logger)
        server.idleTimeout = .seconds(Int64(max(1, idleTimeout)))
        server.maxConnections = max(1, maxConnections)
        server.maxBufferedBytes = max(1 << 20, maxBufferedBytes)
        server.leaseMaxDuration = min(max(1, leaseMaxDuration), ProtocolLimits.maxLeaseDuration)
        server.audit = noAudit ? nil : AuditSettings(maxBytes: max(4096, auditMaxBytes))
        server.idleLock = idleLock > 0 ? .milliseconds(Int64(idleLock * 60_000)) : nil
        server.notifySocket = environment["NOTIFY_SOCKET"]
        if exitWhenIdle > 0 {
            server.exitWhenIdle = .milliseconds(Int64(exitWhenIdle * 1000))
            server.onIdleExit = { stop.signal() }
        }
        // The daemon opens the vault, listens and says READY=1, in that order (see LocketServer.start).
        let daemon = LocketServer(vault: vault, configuration: server)
        do {
            try daemon.start()
        } catch .vault(let error) {
            logger.critical("cannot open the vault", metadata: ["data_dir": "\(dataDirectory)", "error": "\(error)"])
            throw ExitCode(1)
        } catch .alreadyRunning(let path) {
            logger.critical("another locketd is running", metadata: ["socket": "\(path)"])
            throw ExitCode(1)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }

        stop.wait()
        logger.info("shutting down")
        daemon.shutdown()
        logger.info("stopped")
        _ = sources
    }

    /// `--tpm-pcrs`: PCR numbers 0-23, separated by commas.
    static func pcrList(_ text: String?) throws -> [Int] {
        guard let text, !text.isEmpty else { return [] }
        return try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let trimmed = part.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
            guard let pcr = Int(String(trimmed)), (0...23).contains(pcr) else {
                throw ValidationError("--tpm-pcrs takes PCR numbers 0-23 separated by commas, e.g. 7 or 0,7")
            }
            return pcr
        }
    }

    static func defaultDataDirectory(_ environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return "\(data)/locket" }
        let home = environment["HOME"] ?? Self.passwordDatabaseHome()
        return "\(home)/.local/share/locket"
    }

    /// The user's home from the password database, for a service started without `$HOME`.
    static func passwordDatabaseHome() -> String {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return "/" }
        return String(cString: directory)
    }

    /// The inherited socket under systemd socket activation, else the resolved path.
    static func listenTarget(explicit: String?, environment: [String: String]) -> ListenTarget {
        if let pid = environment["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
           let count = environment["LISTEN_FDS"].flatMap(Int.init), count >= 1 {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
            return .inheritedDescriptor(3, path: explicit)
        }
        return .unixSocket(path: SocketPath.resolve(explicit: explicit, environment: environment, uid: getuid()))
    }
}
