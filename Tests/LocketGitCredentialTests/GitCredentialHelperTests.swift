import Foundation
import Testing
import LocketClient
import LocketGitCredential
import LocketTestSupport

/// The helper against a real `locketd`, driven by real git and directly.
@Suite struct GitCredentialHelperTests {
    static let alice = "protocol=https\nhost=example.com\nusername=alice\n"

    /// `git -C HOME -c credential.helper=HELPER credential SUBCOMMAND`.
    func git(_ subcommand: String, helper: String, input: String, environment: [String: String], home: String) throws -> ProcessOutput {
        try Subprocess.run("/usr/bin/env", ["git", "-C", home, "-c", "credential.helper=\(helper)", "credential", subcommand],
                           environment: environment, input: input + "\n", timeout: 20)
    }

    @Test func realGitApprovesFillsAndRejects() throws {
        let vault = try Vault()
        let env = vault.environment, home = vault.home.path
        let helper = "!\(Paths.helper)"

        let approve = try git("approve", helper: helper, input: Self.alice + "password=s3cret\n", environment: env, home: home)
        #expect(approve.status == 0, "\(approve.stderr)")

        let fill = try git("fill", helper: helper, input: Self.alice, environment: env, home: home)
        #expect(fill.status == 0, "\(fill.stderr)")
        #expect(fill.stdout.split(separator: "\n").contains("password=s3cret"))

        // Without a username: the only entry for the host is found through `list`.
        let anyone = try git("fill", helper: helper, input: "protocol=https\nhost=example.com\n", environment: env, home: home)
        #expect(anyone.status == 0, "\(anyone.stderr)")
        #expect(anyone.stdout.split(separator: "\n").contains("username=alice"))
        #expect(anyone.stdout.split(separator: "\n").contains("password=s3cret"))

        let reject = try git("reject", helper: helper, input: Self.alice + "password=s3cret\n", environment: env, home: home)
        #expect(reject.status == 0, "\(reject.stderr)")

        let after = try git("fill", helper: helper, input: Self.alice, environment: env, home: home)
        #expect(after.status != 0)
        #expect(!after.stdout.contains("s3cret"))
        #expect(try LocketClient(socketPath: vault.socketPath).list(ns: "git").isEmpty)
    }

    @Test func gitFindsTheHelperByNameOnPath() throws {
        let vault = try Vault()
        let bin = TemporaryFolder("locket-git-bin")
        try FileManager.default.createSymbolicLink(atPath: bin.appending("git-credential-locket"), withDestinationPath: Paths.helper)
        var env = vault.environment
        env["PATH"] = bin.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let home = vault.home.path

        let approve = try git("approve", helper: "locket", input: Self.alice + "password=via-path\n", environment: env, home: home)
        #expect(approve.status == 0, "\(approve.stderr)")
        let fill = try git("fill", helper: "locket", input: Self.alice, environment: env, home: home)
        #expect(fill.status == 0, "\(fill.stderr)")
        #expect(fill.stdout.split(separator: "\n").contains("password=via-path"))
        // The entry is under the documented key.
        let entry = try LocketClient(socketPath: vault.socketPath).get(ns: "git", key: "https://example.com?alice")
        let stored = try entry.decode(StoredCredential.self)
        #expect(stored.password == "via-path")
        #expect(stored.host == "example.com")
    }

    @Test func expiredPasswordIsNotReturned() async throws {
        let vault = try Vault()
        let env = vault.environment
        let soon = Int(Date().timeIntervalSince1970) + 2
        let store = try helper("store", Self.alice + "password=short-lived\npassword_expiry_utc=\(soon)\n", environment: env)
        #expect(store.status == 0, "\(store.stderr)")
        let before = try helper("get", Self.alice, environment: env)
        #expect(before.stdout.contains("password=short-lived"))
        #expect(before.stdout.contains("password_expiry_utc=\(soon)"))

        try await Task.sleep(for: .seconds(3))
        let after = try helper("get", Self.alice, environment: env)
        #expect(after.status == 0)
        #expect(after.stdout == "")
    }

    @Test func alreadyExpiredPasswordDeletesTheEntry() throws {
        let vault = try Vault()
        let env = vault.environment
        #expect(try helper("store", Self.alice + "password=old\n", environment: env).status == 0)
        let past = Int(Date().timeIntervalSince1970) - 10
        let store = try helper("store", Self.alice + "password=new\npassword_expiry_utc=\(past)\n", environment: env)
        #expect(store.status == 0, "\(store.stderr)")
        #expect(try helper("get", Self.alice, environment: env).stdout == "")
        #expect(try LocketClient(socketPath: vault.socketPath).list(ns: "git").isEmpty)
    }

    @Test func refreshTokenAndExpiryComeBackAndUnknownAttributesAreIgnored() throws {
        let vault = try Vault()
        let env = vault.environment
        let later = Int(Date().timeIntervalSince1970) + 3600
        let input = Self.alice + "password=gho_token\noauth_refresh_token=refresh-me\npassword_expiry_utc=\(later)\n"
            + "wwwauth[]=Bearer realm=\"x\"\ncolour=blue\ncapability[]=authtype\n"
        let store = try helper("store", input, environment: env)
        #expect(store.status == 0, "\(store.stderr)")
        #expect(store.stderr == "")

        let get = try helper("get", Self.alice, environment: env)
        #expect(get.status == 0)
        #expect(get.stdout == "username=alice\npassword=gho_token\npassword_expiry_utc=\(later)\noauth_refresh_token=refresh-me\n")

        let client = LocketClient(socketPath: vault.socketPath)
        let entry = try client.get(ns: "git", key: "https://example.com?alice")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(entry.valueJSON)) as? [String: Any])
        #expect(Set(json.keys) == ["protocol", "host", "username", "password", "oauth_refresh_token", "password_expiry_utc"])
        // The expiry is the entry's ttl: the daemon forgets it then.
        let expiresAt = try #require(entry.expiresAt)
        #expect(abs(expiresAt.timeIntervalSince1970 - Double(later)) <= 2)
    }

    @Test func usernameAndPathKeepEntriesApart() throws {
        let vault = try Vault()
        let env = vault.environment
        let client = LocketClient(socketPath: vault.socketPath)
        let credentials = CredentialHelper(connection: client.connection)
        try credentials.store(.init(protocol: "https", host: "example.com", username: "alice", password: "pa"))
        try credentials.store(.init(protocol: "https", host: "example.com", path: "org/repo.git", username: "bob", password: "pb"))
        try credentials.store(.init(protocol: "https", host: "other.example", username: "alice", password: "po"))

        // Exact keys.
        #expect(try helper("get", Self.alice, environment: env).stdout == "username=alice\npassword=pa\n")
        let bob = try helper("get", "protocol=https\nhost=example.com\npath=org/repo.git\nusername=bob\n", environment: env)
        #expect(bob.stdout == "username=bob\npassword=pb\n")
        // Without a username: one match per server, or nothing when ambiguous.
        #expect(try credentials.get(.init(protocol: "https", host: "example.com"))?.password == "pa")
        #expect(try credentials.get(.init(protocol: "https", host: "example.com", path: "org/repo.git"))?.username == "bob")
        try credentials.store(.init(protocol: "https", host: "example.com", username: "carol", password: "pc"))
        #expect(try credentials.get(.init(protocol: "https", host: "example.com")) == nil)
        #expect(try credentials.get(.init(protocol: "http", host: "example.com", username: "alice")) == nil)

        // Erase keeps an entry whose password changed since, and erases it with the right one.
        #expect(try credentials.erase(.init(protocol: "https", host: "example.com", username: "alice", password: "stale")) == 0)
        #expect(try credentials.get(.init(protocol: "https", host: "example.com", username: "alice"))?.password == "pa")
        let erase = try helper("erase", Self.alice + "password=pa\n", environment: env)
        #expect(erase.status == 0 && erase.stderr == "")
        #expect(try credentials.get(.init(protocol: "https", host: "example.com", username: "alice")) == nil)
        // Without a password or username: every entry of that server, those stored with a path
        // too (issue 21: a missing attribute matches anything, as in git's own helpers).
        #expect(try credentials.erase(.init(protocol: "https", host: "example.com")) == 2)
        #expect(try client.list(ns: "git").map(\.key) == ["https://other.example?alice"])
    }

    @Test func aKeyOverTheLimitIsAWarningNotAFailure() throws {
        let vault = try Vault()
        let long = String(repeating: "h", count: 300)
        let store = try helper("store", "protocol=https\nhost=\(long)\nusername=a\npassword=p\n", environment: vault.environment)
        #expect(store.status == 0)
        #expect(store.stderr.contains("256"))
        let get = try helper("get", "protocol=https\nhost=\(long)\nusername=a\n", environment: vault.environment)
        #expect(get.status == 0 && get.stdout == "" && get.stderr == "")
    }

    @Test func withoutADaemonGitIsNotBroken() throws {
        let folder = TemporaryFolder("locket-git-nodaemon")
        let env = Vault.environment(socket: folder.appending("absent.sock"), home: folder.path)
        let fastest = try Timing.fastest(under: 1) {
            let get = try helper("get", Self.alice, environment: env)
            #expect(get.status == 0)
            #expect(get.stdout == "")
            #expect(get.stderr == "")
            return get.seconds
        }
        #expect(fastest < 1)
        for action in ["store", "erase"] {
            let result = try helper(action, Self.alice + "password=p\n", environment: env)
            #expect(result.status == 0)
            #expect(result.stdout == "")
            #expect(result.stderr.hasPrefix("git-credential-locket: \(action) skipped: locketd is not running"))
            #expect(result.stderr.filter { $0 == "\n" }.count == 1)
        }
        // Unknown operations are ignored, as git asks of helpers.
        let other = try helper("frobnicate", Self.alice, environment: env)
        #expect(other.status == 0 && other.stdout == "" && other.stderr == "")
    }
}
