import Foundation
import LocketTestSupport
import Testing

/// `auto` key store selection, end to end through the real demo binary, each
/// case with its own D-Bus bus (GLib caches the bus per process, so every
/// scenario runs in a child process).
@Suite("auto key store selection")
struct KeyStoreSelectionTests {
    @Test("a new vault with a running, unlocked keyring keeps its key in the Secret Service")
    func newVaultUsesSecretService() throws {
        let bus = try PrivateBus(keyring: true)
        defer { bus.stop() }
        let data = TemporaryFolder()
        let run = try DemoRun(dataDir: data.appending("vault"), environment: bus.environment)
        #expect(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.keyStore == "secret-service")
        #expect(run.resumed)
        #expect(!run.plaintextOnDisk)
        let vault = try #require(run.vaultID)
        let search = try bus.secretTool(["search", "--all", "application", "locket", "vault", vault])
        let listing = search.stdout + search.stderr
        #expect(listing.contains("label = Locket master key (vault \(vault.prefix(8)))"))
        #expect(listing.contains("attribute.slot = current"))
        #expect(!FileManager.default.fileExists(atPath: data.appending("vault/master-\(vault).key")))
    }

    @Test("an existing vault uses the key store it recorded")
    func existingVaultUsesRecordedStore() throws {
        let bus = try PrivateBus(keyring: true)
        defer { bus.stop() }
        let data = TemporaryFolder()
        let first = try DemoRun(dataDir: data.appending("vault"), environment: bus.environment)
        let second = try DemoRun(dataDir: data.appending("vault"), environment: bus.environment)
        #expect(first.keyStore == "secret-service")
        #expect(second.output.status == 0, "\(second.output.stderr)")
        #expect(second.keyStore == "secret-service")
        #expect(second.vaultID == first.vaultID)
        #expect(second.version == 2)
    }

    @Test("no session bus at all: a new vault falls back to a key file, loudly, in under 3 s")
    func noBusFallsBackToFile() throws {
        let fastest = try Timing.fastest(under: 3) {
            let runtime = TemporaryFolder(), data = TemporaryFolder()
            let run = try DemoRun(dataDir: data.appending("vault"), environment: noBusEnvironment(runtime: runtime))
            #expect(run.output.status == 0, "\(run.output.stderr)")
            #expect(run.keyStore == "file")
            #expect(run.notice?.contains("no usable Secret Service") == true)
            let vault = try #require(run.vaultID)
            #expect(FileManager.default.fileExists(atPath: data.appending("vault/master-\(vault).key")))
            return run.output.seconds
        }
        #expect(fastest < 3)
    }

    @Test("a bus with no keyring on it: a new vault falls back to a key file in under 3 s")
    func busWithoutKeyringFallsBackToFile() throws {
        let bus = try PrivateBus(keyring: false)
        defer { bus.stop() }
        let fastest = try Timing.fastest(under: 3) {
            let data = TemporaryFolder()
            let run = try DemoRun(dataDir: data.appending("vault"), environment: bus.environment)
            #expect(run.output.status == 0, "\(run.output.stderr)")
            #expect(run.keyStore == "file")
            return run.output.seconds
        }
        #expect(fastest < 3)
    }

    @Test("a keyring that never answers counts as unavailable after 2 s: a new vault falls back to a file")
    func hungKeyringFallsBackToFile() throws {
        let bus = try PrivateBus(keyring: true)
        defer { bus.thawKeyring(); bus.stop() }
        bus.freezeKeyring()
        let fastest = try Timing.fastest(under: 3.5) {
            let data = TemporaryFolder()
            let run = try DemoRun(dataDir: data.appending("vault"), environment: bus.environment)
            #expect(run.output.status == 0, "\(run.output.stderr)")
            #expect(run.keyStore == "file")
            #expect(run.notice?.contains("did not answer within 2 s") == true)
            return run.output.seconds
        }
        #expect(fastest < 3.5)
    }

    @Test("asking for the Secret Service explicitly with none running fails clearly instead of falling back")
    func explicitSecretServiceWithoutBusFails() throws {
        let fastest = try Timing.fastest(under: 3) {
            let runtime = TemporaryFolder(), data = TemporaryFolder()
            let run = try DemoRun(dataDir: data.appending("vault"), keyStore: "secret-service",
                                  environment: noBusEnvironment(runtime: runtime))
            #expect(run.output.status != 0)
            #expect(run.output.stderr.contains("cannot store the new vault's master key in the secret-service key store"))
            return run.output.seconds
        }
        #expect(fastest < 3)
    }
}
