// Fault: the Secret Service (a real gnome-keyring on a private D-Bus bus) is
// absent, goes away, is locked, or holds the wrong key, against the real
// locketd. Architecture "Key stores" and README: an existing vault whose key
// store cannot give its key starts locked and says why, never makes a new key,
// and changes nothing on disk; a daemon that already holds the key keeps serving.
import Foundation
import LocketTestSupport
import Testing

@Suite("Fault: Secret Service")
struct SecretServiceFaultTests {
    static let keyringPassword = "test-keyring-password"

    /// A daemon with the secret-service key store, on `bus` (nil: no bus at all).
    private func daemon(bus: PrivateBus?, keyStore: String = "secret-service", dataDirectory: String? = nil) -> Daemon {
        Daemon(arguments: ["--key-store", keyStore],
               environment: bus.map { ["DBUS_SESSION_BUS_ADDRESS": $0.address] } ?? [:],
               dataDirectory: dataDirectory)
    }

    /// Makes a secret-service vault on `bus` holding `entries`, stopped; returns its data folder.
    private func makeVault(on bus: PrivateBus, folder: TemporaryFolder, entries: [String: String]) throws -> String {
        let data = folder.appending("data")
        let creator = daemon(bus: bus, dataDirectory: data)
        defer { creator.kill9() }
        try creator.start()
        let client = try creator.connect()
        #expect(try client.status().string("key_store") == "secret-service")
        for (key, value) in entries { #expect(try client.put("ss", key, value).ok) }
        #expect(try creator.stop() == 0)
        return data
    }

    /// The vault ids that have a key in the keyring on `bus`.
    private func vaultIDs(on bus: PrivateBus) throws -> [String] {
        let found = try bus.secretTool(["search", "--all", "application", "locket"])
        return found.stderr.split(separator: "\n").compactMap { line in
            line.hasPrefix("attribute.vault = ") ? String(line.dropFirst("attribute.vault = ".count)) : nil
        }
    }

    /// A locked vault: status says so with a reason containing `reason`; data ops answer `locked`.
    private func expectLocked(_ client: LineClient, reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let status = try client.status()
        #expect(status.bool("locked") == true, "\(status)", sourceLocation: sourceLocation)
        #expect(status.string("lock_reason")?.contains(reason) == true, "\(status)", sourceLocation: sourceLocation)
        for reply in [try client.get("ss", "a"), try client.put("ss", "new", "v"), try client.list(), try client.delete("ss", "a")] {
            #expect(reply.code == "locked", "\(reply)", sourceLocation: sourceLocation)
        }
    }

    /// Starts a fresh keyring daemon on `bus` that unlocks the login collection again.
    private func unlockKeyring(_ bus: PrivateBus) throws {
        let started = try Subprocess.startDaemon(
            "printf %s \"$KEYRING_PASSWORD\" | /usr/bin/gnome-keyring-daemon --replace --unlock --components=secrets --daemonize >/dev/null",
            environment: bus.environment.merging(["KEYRING_PASSWORD": Self.keyringPassword]) { $1 })
        try #require(started == 0)
    }

    // MARK: - Absent at start

    @Test("no bus, new vault, auto: the file key store, with the reason in key_store_notice")
    func noBusAutoFallsBackToFile() throws {
        let daemon = daemon(bus: nil, keyStore: "auto")
        defer { daemon.kill9() }
        try daemon.start()
        let status = try daemon.connect().status()
        #expect(status.string("key_store") == "file", "\(status)")
        #expect(status.string("key_store_notice")?.contains("no usable Secret Service") == true, "\(status)")
        #expect(try daemon.stop() == 0)
    }

    @Test("no bus, new vault, --key-store secret-service: refused at start (exit 1, why on stderr), no key file made")
    func noBusSecretServiceRequired() throws {
        let daemon = daemon(bus: nil)
        defer { daemon.kill9() }
        #expect(try refusedStart(daemon) == 1)
        #expect(daemon.log.contains("cannot store the new vault's master key in the secret-service key store"), "\(daemon.log)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: daemon.dataDirectory)) ?? []
        #expect(files.allSatisfy { !$0.hasPrefix("master-") }, "\(files)")
    }

    @Test("an existing secret-service vault with no bus, or a bus without a keyring: starts locked, says why, changes nothing", arguments: ["no bus", "bus without keyring"])
    func existingVaultKeyringAbsent(setup: String) throws {
        let folder = TemporaryFolder("locket-ss")
        let keyring = try PrivateBus(keyring: true)
        let data = try makeVault(on: keyring, folder: folder, entries: ["a": "1"])
        keyring.stop()
        let before = try snapshot(data)

        let emptyBus = setup == "no bus" ? nil : try PrivateBus(keyring: false)
        defer { emptyBus?.stop() }
        let daemon = daemon(bus: emptyBus, dataDirectory: data)
        defer { daemon.kill9() }
        try daemon.start()
        try expectLocked(try daemon.connect(), reason: "secret-service")
        #expect(daemon.log.contains("vault is locked"), "\(daemon.log)")
        #expect(try daemon.stop() == 0)
        #expect(try snapshot(data) == before)
    }

    // MARK: - Going away while running

    @Test("the keyring daemon is killed while locketd runs: serving goes on; rotate answers unavailable and changes nothing; after lock, unlock answers locked with the reason; once the keyring is back, unlock works")
    func keyringKilledWhileRunning() throws {
        let bus = try PrivateBus(keyring: true, password: Self.keyringPassword)
        defer { bus.stop() }
        let daemon = daemon(bus: bus)
        defer { daemon.kill9() }
        try daemon.start()
        let client = try daemon.connect()
        #expect(try client.put("ss", "a", "1").ok)

        kill(try #require(bus.keyringPID), SIGKILL)
        // Serving goes on with the key in memory.
        #expect(try client.get("ss", "a").valueJSON == canonicalJSON("1"))
        #expect(try client.put("ss", "b", "2").ok)
        #expect(try client.list("ss").listedKeys() == ["a", "b"])
        // The bus starts a new keyring on demand (D-Bus activation): its collection is locked.
        let rotate = try client.ask(["op": "rotate"])
        #expect(rotate.code == "unavailable", "\(rotate)")
        #expect(rotate.message.contains("nothing was changed"), "\(rotate)")
        #expect(try client.get("ss", "b").valueJSON == canonicalJSON("2"))

        #expect(try client.ask(["op": "lock"]).ok)
        let unlock = try client.ask(["op": "unlock"])
        #expect(unlock.code == "locked", "\(unlock)")
        #expect(unlock.message.contains("secret-service"), "\(unlock)")
        try expectLocked(client, reason: "secret-service")

        try unlockKeyring(bus)
        #expect(try client.ask(["op": "unlock"]).ok)
        #expect(try client.get("ss", "b").valueJSON == canonicalJSON("2"))
        #expect(try client.ask(["op": "rotate"]).int("rewrapped") == 2)
        #expect(try daemon.stop() == 0)
    }

    @Test("the whole session bus goes away while locketd runs: serving goes on; rotate and unlock answer within the 2 s deadline, clearly")
    func busGoneWhileRunning() throws {
        let bus = try PrivateBus(keyring: true)
        let daemon = daemon(bus: bus)
        defer {
            daemon.kill9()
            bus.stop()
        }
        try daemon.start()
        let client = try daemon.connect()
        #expect(try client.put("ss", "a", "1").ok)
        bus.stop()

        #expect(try client.get("ss", "a").valueJSON == canonicalJSON("1"))
        #expect(try client.put("ss", "b", "2").ok)
        let started = Date()
        let rotate = try client.ask(["op": "rotate"])
        #expect(rotate.code == "unavailable" && rotate.message.contains("nothing was changed"), "\(rotate)")
        #expect(try client.ask(["op": "lock"]).ok)
        let unlock = try client.ask(["op": "unlock"])
        #expect(unlock.code == "locked" && unlock.message.contains("secret-service"), "\(unlock)")
        // Two keyring calls, each under its 2 s deadline (a generous bound for a loaded machine).
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(try daemon.stop() == 0)
    }

    // MARK: - Locked collection, wrong key

    @Test("the keyring's collection is locked at start: locked with the reason, nothing changes; unlocking the keyring and then the vault serves again")
    func collectionLockedAtStart() throws {
        let folder = TemporaryFolder("locket-ss")
        let bus = try PrivateBus(keyring: true, password: Self.keyringPassword)
        defer { bus.stop() }
        let data = try makeVault(on: bus, folder: folder, entries: ["a": "1"])
        let before = try snapshot(data)
        try bus.lockDefaultCollection()

        let daemon = daemon(bus: bus, dataDirectory: data)
        defer { daemon.kill9() }
        try daemon.start()
        try expectLocked(try daemon.connect(), reason: "collection is locked")
        #expect(try daemon.connect().ask(["op": "unlock"]).code == "locked")
        #expect(try daemon.stop() == 0)
        #expect(try snapshot(data) == before)

        try daemon.start()
        let client = try daemon.connect()
        try expectLocked(client, reason: "collection is locked")
        try unlockKeyring(bus)
        #expect(try client.ask(["op": "unlock"]).ok)
        #expect(try client.get("ss", "a").valueJSON == canonicalJSON("1"))
        #expect(try daemon.stop() == 0)
    }

    @Test("the keyring holds another key for this vault: opens locked as the wrong key, writes nothing, keeps the keyring item")
    func wrongKeyInKeyring() throws {
        let folder = TemporaryFolder("locket-ss")
        let bus = try PrivateBus(keyring: true)
        defer { bus.stop() }
        let data = try makeVault(on: bus, folder: folder, entries: ["a": "1", "b": "2"])
        let vault = try #require(try vaultIDs(on: bus).first)
        let wrongKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        let replaced = try Subprocess.run(
            "/usr/bin/secret-tool", ["store", "--label", "wrong", "application", "locket", "vault", vault, "slot", "current"],
            environment: bus.environment, input: wrongKey, timeout: 10)
        try #require(replaced.status == 0, "\(replaced.stderr)")
        let before = try snapshot(data)

        let daemon = daemon(bus: bus, dataDirectory: data)
        defer { daemon.kill9() }
        try daemon.start()
        let client = try daemon.connect()
        try expectLocked(client, reason: "is not this vault's key")
        #expect(try client.ask(["op": "unlock"]).code == "locked")
        #expect(try client.ask(["op": "rotate"]).code == "locked")
        #expect(try daemon.stop() == 0)

        #expect(try snapshot(data) == before)
        let lookup = try bus.secretTool(["lookup", "application", "locket", "vault", vault, "slot", "current"])
        #expect(lookup.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == wrongKey, "the keyring item was replaced")
        #expect(try vaultIDs(on: bus) == [vault], "a key for another vault (or a next slot) appeared")
    }
}
