import Testing
import LocketGitCredential

@Suite struct AttributeParsingTests {
    @Test func parsesKnownAttributesAndIgnoresTheRest() {
        let text = """
            protocol=https
            host=example.com:8443
            path=org/repo.git
            username=alice
            password=pa=ss=word
            oauth_refresh_token=rt-1
            password_expiry_utc=1700000000
            capability[]=authtype
            wwwauth[]=Basic realm="x"
            nonsense line
            colour=blue

            password=after-the-blank-line
            """
        let parsed = CredentialAttributes.parse(text)
        #expect(parsed == CredentialAttributes(protocol: "https", host: "example.com:8443", path: "org/repo.git",
                                               username: "alice", password: "pa=ss=word", oauthRefreshToken: "rt-1",
                                               passwordExpiryUTC: 1_700_000_000))
    }

    /// Issue 21: a blank username or password is kept (git's helpers store and
    /// return it); any other empty value is still the same as an absent one.
    @Test func stripsCarriageReturnsAndKeepsBlankCredentials() {
        let parsed = CredentialAttributes.parse("protocol=https\r\nhost=example.com\r\nusername=\r\npassword=\r\n")
        #expect(parsed == CredentialAttributes(protocol: "https", host: "example.com", username: "", password: ""))
        let empty = CredentialAttributes.parse("protocol=https\nhost=h\npath=\noauth_refresh_token=\nauthtype=\ncredential=\n")
        #expect(empty == CredentialAttributes(protocol: "https", host: "h"))
        #expect(CredentialAttributes.parse("protocol=https\nhost=h\n").username == nil)
        // Split by scalars: "=" followed by a combining mark still separates name and value.
        #expect(CredentialAttributes.parse("password=\u{301}x\n").password == "\u{301}x")
    }

    @Test func commandReadsLinesUntilTheBlankOne() {
        var lines = ["protocol=https\r", "host=example.com", "", "host=never-read"][...]
        var read = 0
        let outcome = GitCredentialCommand.run(arguments: ["--socket", "/nonexistent/locket.sock", "get"],
                                               readLine: { read += 1; return lines.popFirst() })
        #expect(outcome == GitCredentialCommand.Outcome())
        #expect(read == 3)
        #expect(GitCredentialCommand.run(arguments: [], readLine: { nil }).status == 2)
        #expect(GitCredentialCommand.run(arguments: ["--help"], readLine: { nil }).stdout.hasPrefix("usage:"))
    }

    @Test func laterLineWinsAndBadExpiryIsIgnored() {
        let parsed = CredentialAttributes.parse("host=a\nhost=b\npassword_expiry_utc=soon\n")
        #expect(parsed.host == "b")
        #expect(parsed.passwordExpiryUTC == nil)
    }

    @Test func urlSetsItsParts() {
        let parsed = CredentialAttributes.parse("host=old\nurl=https://bob@git.example.org:8443/team/repo.git\n")
        #expect(parsed.protocol == "https")
        #expect(parsed.host == "git.example.org:8443")
        #expect(parsed.path == "team/repo.git")
        #expect(parsed.username == "bob")
    }

    @Test func answersInGitsOrder() {
        let found = CredentialAttributes(protocol: "https", host: "h", username: "alice", password: "pw",
                                         oauthRefreshToken: "rt", passwordExpiryUTC: 42)
        #expect(CredentialAttributes.format(found.answerLines)
            == "username=alice\npassword=pw\npassword_expiry_utc=42\noauth_refresh_token=rt\n")
        #expect(CredentialAttributes.format(CredentialAttributes(password: "only").answerLines) == "password=only\n")
    }

    @Test func formatLeavesOutValuesThatCannotBeSaid() {
        #expect(CredentialAttributes.format([("username", "a\nb"), ("password", "p\rq"), ("host", "ok")]) == "host=ok\n")
    }

    /// Found by the git-input fuzz target: "\r\n" is one Character, equal to
    /// neither "\r" nor "\n", so a value holding it was written whole and its
    /// tail became a line of its own (here `host=evil`) in the answer to git.
    @Test func formatLeavesOutValuesWithACarriageReturnLineFeed() {
        #expect(CredentialAttributes.format([("password", "a\r\nhost=evil"), ("username", "ok")]) == "username=ok\n")
        let fromURL = CredentialAttributes.parse("url=https://alice:a%0D%0Ahost=evil@example.com/\n")
        #expect(fromURL.password == "a\r\nhost=evil")
        let answer = CredentialAttributes.format(fromURL.answerLines)
        #expect(answer == "username=alice\n")
        #expect(!answer.unicodeScalars.contains("\r"))
    }

    @Test func storedJSONRoundTrips() throws {
        let attributes = CredentialAttributes(protocol: "https", host: "h", path: "p", username: "u", password: "pw",
                                              oauthRefreshToken: "rt", passwordExpiryUTC: 99)
        #expect(StoredCredential(attributes).attributes == attributes)
    }
}

@Suite struct CredentialKeyTests {
    @Test func readableForCommonCases() {
        #expect(CredentialKey(protocol: "https", host: "example.com").encoded == "https://example.com")
        #expect(CredentialKey(protocol: "https", host: "example.com", path: "path", username: "user").encoded
            == "https://example.com/path?user")
        #expect(CredentialKey(protocol: "https", host: "example.com:8443", path: "org/repo.git", username: "alice").encoded
            == "https://example.com:8443/org/repo.git?alice")
        #expect(CredentialKey(protocol: "smtp", host: "mail.example.com", username: "bob@corp.example").encoded
            == "smtp://mail.example.com?bob%40corp.example")
    }

    @Test func escapesSeparators() {
        let key = CredentialKey(protocol: "a:b/c", host: "h/o?s%t", path: "p?a%th/x", username: "u?s/e:r%").encoded
        #expect(key == "a%3Ab%2Fc://h%2Fo%3Fs%25t/p%3Fa%25th/x?u%3Fs%2Fe%3Ar%25")
        #expect(CredentialKey(protocol: "https", host: "example.com", username: "a b\u{1}é").encoded
            == "https://example.com?a%20b%01%C3%A9")
    }

    @Test func emptyPartsAreAbsent() {
        #expect(CredentialKey(protocol: "https", host: "h", path: "", username: "") == CredentialKey(protocol: "https", host: "h"))
        #expect(CredentialKey(CredentialAttributes(host: "h")) == nil)
        #expect(CredentialKey(CredentialAttributes(protocol: "https")) == nil)
        #expect(CredentialKey(CredentialAttributes(protocol: "cert", path: "/etc/cert.p12"))?.encoded == "cert:////etc/cert.p12")
    }

    @Test func distinctInputsGiveDistinctKeysThatDecodeBack() {
        let parts = ["", "a", "b", "a/b", "a?b", "a:b", "a%2Fb", "a%b", "/", "?", ":", "://", "a b", "é", "a?", "?a", "/a", "a/"]
        var seen: [String: CredentialKey] = [:]
        for proto in ["https", "a:", "h/"] {
            for host in parts where !host.isEmpty {
                for path in parts {
                    for user in parts {
                        let key = CredentialKey(protocol: proto, host: host, path: path, username: user)
                        let encoded = key.encoded
                        if let earlier = seen[encoded] { Issue.record("\(earlier) and \(key) share \(encoded)") }
                        seen[encoded] = key
                        #expect(CredentialKey.decode(encoded) == key, "\(encoded)")
                    }
                }
            }
        }
        #expect(seen.count == 3 * (parts.count - 1) * parts.count * parts.count)
    }

    @Test func decodeRejectsWhatIsNotAKey() {
        for text in ["example.com", "https//x", "://h", "https://h?", "https://h/", "https://h%zz", "https://%61", "https://h%2f"] {
            #expect(CredentialKey.decode(text) == nil, "\(text)")
        }
    }
}

/// `url=` decodes percent-escapes in the host and path with `CredentialKey.unescape`
/// (it was Foundation's `removingPercentEncoding`, which is not in FoundationEssentials).
@Suite struct URLAttributePercentTests {
    @Test func decodesEscapesInHostAndPath() {
        let parsed = CredentialAttributes.parse("url=https://ex%61mple.com:8443/org%20x/r%C3%A9po.git\n")
        #expect(parsed.host == "example.com:8443")
        #expect(parsed.path == "org x/répo.git")
        #expect(parsed.protocol == "https")
    }

    @Test func keepsAPathWhoseEscapesAreNotUTF8AsWritten() {
        let parsed = CredentialAttributes.parse("url=https://example.com/a%FFb\n")
        #expect(parsed.path == "a%FFb")
        #expect(parsed.host == "example.com")
    }
}
