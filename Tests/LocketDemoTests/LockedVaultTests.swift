import Foundation
import LocketTestSupport
import Testing

/// A vault whose recorded key store cannot give its key starts locked, says
/// why, never makes a new key, and changes nothing on disk.
@Suite("a vault whose key store cannot give its key")
struct LockedVaultTests {
    /// Creates a vault in the keyring of `bus` and returns its folder.
    private func makeSecretServiceVault(on bus: PrivateBus, in data: TemporaryFolder) throws -> String {
        let folder = data.appending("vault")
        let created = try DemoRun(dataDir: folder, environment: bus.environment)
        try #require(created.keyStore == "secret-service", "\(created.output.stderr)")
        return folder
    }

    @Test("the keyring went away: the vault starts locked with the reason, bytes unchanged, no new key")
    func keyringGone() throws {
        let bus = try PrivateBus(keyring: true)
        let data = TemporaryFolder()
        let folder = try makeSecretServiceVault(on: bus, in: data)
        bus.stop()
        let before = try snapshot(folder)
        let runtime = TemporaryFolder()
        let fastest = try Timing.fastest(under: 3) {
            let run = try DemoRun(dataDir: folder, environment: noBusEnvironment(runtime: runtime))
            #expect(run.output.status != 0)
            #expect(run.output.stderr.contains("the vault is locked"))
            #expect(run.output.stderr.contains("secret-service"))
            return run.output.seconds
        }
        #expect(fastest < 3)
        #expect(try snapshot(folder) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.hasPrefix("master-") })
    }

    @Test("the keyring hangs: the vault starts locked after the 2 s deadline")
    func keyringHangs() throws {
        let bus = try PrivateBus(keyring: true)
        defer { bus.thawKeyring(); bus.stop() }
        let data = TemporaryFolder()
        let folder = try makeSecretServiceVault(on: bus, in: data)
        let before = try snapshot(folder)
        bus.freezeKeyring()
        let fastest = try Timing.fastest(under: 3.5) {
            let run = try DemoRun(dataDir: folder, environment: bus.environment)
            #expect(run.output.status != 0)
            #expect(run.output.stderr.contains("did not answer within 2 s"))
            return run.output.seconds
        }
        #expect(fastest < 3.5)
        #expect(try snapshot(folder) == before)
    }

    @Test("the keyring's collection is locked: the vault starts locked and says so")
    func collectionLocked() throws {
        let bus = try PrivateBus(keyring: true)
        defer { bus.stop() }
        let data = TemporaryFolder()
        let folder = try makeSecretServiceVault(on: bus, in: data)
        let before = try snapshot(folder)
        try bus.lockDefaultCollection()
        let run = try DemoRun(dataDir: folder, environment: bus.environment)
        #expect(run.output.status != 0)
        #expect(run.output.stderr.contains("collection is locked"))
        #expect(try snapshot(folder) == before)
    }

    @Test("the keyring holds another key for this vault: locked as the wrong key")
    func wrongKeyInKeyring() throws {
        let bus = try PrivateBus(keyring: true)
        defer { bus.stop() }
        let data = TemporaryFolder()
        let folder = try makeSecretServiceVault(on: bus, in: data)
        let vault = try #require(DemoRun(dataDir: folder, environment: bus.environment).vaultID)
        let before = try snapshot(folder)
        // Replace the item with another valid-looking key (32 bytes of base64).
        let replaced = try Subprocess.run(
            "/usr/bin/secret-tool", ["store", "--label", "x", "application", "locket", "vault", vault, "slot", "current"],
            environment: bus.environment, input: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", timeout: 10)
        try #require(replaced.status == 0, "\(replaced.stderr)")
        let run = try DemoRun(dataDir: folder, environment: bus.environment)
        #expect(run.output.status != 0)
        #expect(run.output.stderr.contains("is not this vault's key"))
        #expect(try snapshot(folder) == before)
    }

    @Test("the passphrase key store: the right passphrase opens, a wrong one leaves it locked")
    func passphraseStore() throws {
        let data = TemporaryFolder(), runtime = TemporaryFolder()
        let folder = data.appending("vault")
        let right = data.appending("right"), wrong = data.appending("wrong")
        try "correct horse battery staple\n".write(toFile: right, atomically: true, encoding: .utf8)
        try "Tr0ub4dor&3\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let env = noBusEnvironment(runtime: runtime)
        let created = try DemoRun(dataDir: folder, keyStore: "passphrase", extra: ["--passphrase-file", right], environment: env)
        #expect(created.output.status == 0, "\(created.output.stderr)")
        #expect(created.keyStore == "passphrase")
        let reopened = try DemoRun(dataDir: folder, extra: ["--passphrase-file", right], environment: env)
        #expect(reopened.output.status == 0, "\(reopened.output.stderr)")
        #expect(reopened.version == 2)
        let before = try snapshot(folder)
        let refused = try DemoRun(dataDir: folder, extra: ["--passphrase-file", wrong], environment: env)
        #expect(refused.output.status != 0)
        #expect(refused.output.stderr.contains("wrong passphrase"))
        #expect(!refused.output.stderr.contains("Tr0ub4dor"))
        let missing = try DemoRun(dataDir: folder, environment: env)
        #expect(missing.output.stderr.contains("protected by a passphrase"))
        #expect(try snapshot(folder) == before)
    }
}
