import Testing
import LocketClient
import LocketGitCredential
import LocketTestSupport

/// Issue 21: `erase` removes every entry the request matches, as git's own
/// helpers do (a missing attribute matches anything; a password, credential or
/// blank username in the request must match the stored one).
@Suite struct EraseMatchingTests {
    /// A daemon with five entries of three servers and two protocols.
    struct Seeded {
        let vault: Vault
        let client: LocketClient
        let credentials: CredentialHelper
    }

    static func seeded() throws -> Seeded {
        let vault = try Vault()
        let client = LocketClient(socketPath: vault.socketPath)
        let credentials = CredentialHelper(connection: client.connection)
        try credentials.store(.init(protocol: "https", host: "example.com", username: "alice", password: "pa"))
        try credentials.store(.init(protocol: "https", host: "example.com", path: "org/repo.git", username: "alice", password: "pr"))
        try credentials.store(.init(protocol: "https", host: "example.com", username: "bob", password: "pb"))
        try credentials.store(.init(protocol: "http", host: "example.com", username: "alice", password: "pa"))
        try credentials.store(.init(protocol: "https", host: "sso.tld", username: "", password: ""))
        return Seeded(vault: vault, client: client, credentials: credentials)
    }

    static func keys(_ client: LocketClient) throws -> [String] {
        try client.list(ns: "git").map(\.key)
    }

    @Test func missingAttributesMatchAnything() throws {
        let seeded = try Self.seeded()
        defer { withExtendedLifetime(seeded) {} }
        let client = seeded.client, credentials = seeded.credentials
        // Username given, no path: that user's entries with and without a path.
        let erase = try helper("erase", "protocol=https\nhost=example.com\nusername=alice\n", environment: seeded.vault.environment)
        #expect(erase.status == 0 && erase.stderr == "")
        #expect(try Self.keys(client) == ["http://example.com?alice", "https://example.com?bob", "https://sso.tld"])
        // No protocol: both protocols.
        #expect(try credentials.erase(.init(host: "example.com")) == 2)
        #expect(try Self.keys(client) == ["https://sso.tld"])
    }

    @Test func passwordInTheRequestRestrictsTheErase() throws {
        let seeded = try Self.seeded()
        defer { withExtendedLifetime(seeded) {} }
        let client = seeded.client, credentials = seeded.credentials
        #expect(try credentials.erase(.init(host: "example.com", password: "pa")) == 2)
        #expect(try Self.keys(client) == ["https://example.com/org/repo.git?alice", "https://example.com?bob", "https://sso.tld"])
        // A blank password matches only a blank one.
        #expect(try credentials.erase(.init(protocol: "https", password: "")) == 1)
        #expect(try Self.keys(client) == ["https://example.com/org/repo.git?alice", "https://example.com?bob"])
        // An entry without a password is kept when a password is given.
        try credentials.store(.init(protocol: "https", host: "t.tld", username: "u", authtype: "Bearer", credential: "tok"))
        #expect(try credentials.erase(.init(host: "t.tld", password: "x")) == 0)
        #expect(try credentials.erase(.init(host: "t.tld", credential: "other")) == 0)
        #expect(try credentials.erase(.init(host: "t.tld", credential: "tok")) == 1)
    }

    @Test func blankUsernameMatchesOnlyABlankOne() throws {
        let seeded = try Self.seeded()
        defer { withExtendedLifetime(seeded) {} }
        let client = seeded.client, credentials = seeded.credentials
        try credentials.store(.init(protocol: "https", host: "plain.tld", password: "p"))
        #expect(try credentials.erase(.init(protocol: "https", username: "")) == 1)
        #expect(!(try Self.keys(client).contains("https://sso.tld")))
        #expect(try Self.keys(client).contains("https://plain.tld"))
    }

    @Test func anEmptyRequestErasesNothing() throws {
        let seeded = try Self.seeded()
        defer { withExtendedLifetime(seeded) {} }
        let client = seeded.client, credentials = seeded.credentials
        #expect(try credentials.erase(CredentialAttributes()) == 0)
        #expect(try credentials.erase(.init(password: "pa")) == 0)
        let erase = try helper("erase", "\n", environment: seeded.vault.environment)
        #expect(erase.status == 0 && erase.stderr == "")
        #expect(try Self.keys(client).count == 5)
    }

    @Test func otherEntriesOfTheNamespaceAreLeftAlone() throws {
        let seeded = try Self.seeded()
        defer { withExtendedLifetime(seeded) {} }
        let client = seeded.client, credentials = seeded.credentials
        // A key that is not one of ours, and one of ours whose value cannot be read.
        try client.put(ns: "git", key: "not a credential key", valueJSON: Array(#"{"host":"example.com"}"#.utf8))
        try client.put(ns: "git", key: "https://example.com?carol", valueJSON: Array("[1,2]".utf8))
        #expect(try credentials.erase(.init(protocol: "https", host: "example.com", password: "pb")) == 2)
        let left = try Self.keys(client)
        #expect(left.contains("not a credential key"))
        #expect(!left.contains("https://example.com?carol"))
        #expect(!left.contains("https://example.com?bob"))
    }
}
