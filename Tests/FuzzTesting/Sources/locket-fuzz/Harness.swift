import Foundation
import FuzzSupport
import LocketKeyStore
import LocketServer
import LocketStore
import LocketTestSupport
import Logging

/// The daemon under test, set up once per fuzzing process: a real vault (file
/// key store, SQLite on disk) in a temporary folder, served by the real
/// `LocketServer` on a Unix socket in that folder. Every input is one client
/// connection to it; between inputs the vault is put back to empty and unlocked,
/// so an input's answers do not depend on the inputs before it.
final class Harness: Sendable {
    let folder: TemporaryFolder
    let socketPath: String
    let vault: Vault
    let server: LocketServer

    /// Namespace of the probe entry written after every input.
    static let probeNamespace = "locket-fuzz"

    init() {
        let folder = TemporaryFolder("locket-fuzz")
        self.folder = folder
        socketPath = folder.appending("locket.sock")
        // One event loop thread: the machine is small and one connection is open at a time.
        var configuration = ServerConfiguration(target: .unixSocket(path: socketPath), eventLoopThreads: 1,
                                                logger: Logger(label: "locketd-fuzz") { _ in SwiftLogNoOpLogHandler() })
        configuration.idleTimeout = .seconds(60)
        // The server opens the vault (and would close it at shutdown).
        let server = LocketServer(vault: VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file),
                                  configuration: configuration)
        do {
            try server.start()
        } catch {
            fatalError("fuzz set-up: locketd does not start: \(error)")
        }
        guard let vault = server.vault else { fatalError("fuzz set-up: the server has no vault") }
        self.server = server
        self.vault = vault
        // A client that half-closes early may meet a closed socket: never die of SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let path = folder.path
        Harness.cleanup = path
        atexit {
            if let path = Harness.cleanup { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    /// Inputs checked so far (libFuzzer runs them one at a time, on one thread).
    nonisolated(unsafe) var probes = 0

    /// The folder to remove at exit (atexit takes no context).
    nonisolated(unsafe) static var cleanup: String?

    /// After an input: the store must still work. Unlocks it (an input may have
    /// sent `lock`), checks that every entry can be read and deleted, and that
    /// a fresh entry round-trips. A failure is an invariant violation.
    func resetAndProbe() {
        // The client saw the daemon close; the daemon must forget the connection (no slot leaks).
        let deadline = Date().addingTimeInterval(10)
        while server.connectionCount > 0 {
            guard Date() < deadline else { Invariant.fail("connections: the daemon drops a connection it closed") }
            usleep(200)
        }
        if vault.state.isLocked {
            let unlocked = Result { () throws(StoreError) in try vault.unlock() }
            guard case .success = unlocked else { Invariant.fail("store-usable: the vault unlocks again from its key file") }
        }
        // Access rules an input set would keep the next input out: remove them all.
        let cleared = Result { () throws(StoreError) in
            try vault.changeAccessRules { rules in
                guard !rules.isEmpty else { return (save: false, result: ()) }
                rules = AccessRules()
                return (save: true, result: ())
            }
        }
        guard case .success = cleared else { Invariant.fail("store-usable: access rules can be cleared after the input") }
        let listed = Result { () throws(StoreError) in try vault.list() }
        guard case .success(let listing) = listed else { Invariant.fail("store-usable: list works after the input") }
        guard listing.unreadable == 0 else { Invariant.fail("store-usable: no entry is unreadable after the input") }
        for item in listing.items {
            let deleted = Result { () throws(StoreError) in try vault.delete(ns: item.ns, key: item.key) }
            // An entry may expire between list and delete; false is fine, an error is not.
            guard case .success = deleted else { Invariant.fail("store-usable: every listed entry can be deleted") }
        }
        let counted = Result { () throws(StoreError) in try vault.count() }
        guard case .success(0) = counted else { Invariant.fail("store-usable: the vault is empty after the reset") }
        // A write and read back, every few inputs (it costs a commit).
        probes += 1
        guard probes % 8 == 1 else { return }
        let value = Array(#"{"probe":true}"#.utf8)
        let roundTrip = Result { () throws(StoreError) -> Entry in
            _ = try vault.put(ns: Self.probeNamespace, key: "probe", value: value)
            return try vault.get(ns: Self.probeNamespace, key: "probe")
        }
        guard case .success(let entry) = roundTrip, entry.value == value else {
            Invariant.fail("store-usable: a put after the input reads back the same value")
        }
        let removed = Result { () throws(StoreError) in try vault.delete(ns: Self.probeNamespace, key: "probe") }
        guard case .success(true) = removed else { Invariant.fail("store-usable: the probe entry deletes") }
    }
}
