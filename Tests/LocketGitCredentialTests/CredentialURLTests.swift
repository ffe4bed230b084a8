// `url=` is split without Foundation (`CredentialURL`, so the helper links no
// FoundationEssentials URL parser), the way git splits it: checked against git
// itself, which parses the same `url=` line and hands a helper the parts.
import Foundation
import LocketTestSupport
import Testing
@testable import LocketGitCredential

@Suite("url= split as git splits it")
struct CredentialURLTests {
    /// URLs git accepts, each with something its parser decides: user and password,
    /// a port, escapes, an `@` after the host, a query or fragment, slashes at the ends.
    /// (A path whose escapes are not UTF-8, `a%FFb`, git does not pass on at all;
    /// ours keeps it as written: `URLAttributePercentTests`.)
    static let urls = [
        "https://example.com",
        "https://bob@git.example.org:8443/team/repo.git",
        "https://alice:s%65cret@example.com/org/repo.git/",
        "https://ex%61mple.com:8443/org%20x/r%C3%A9po.git",
        "https://example.com//double//slashes//",
        "https://example.com/path/with@sign",
        "https://example.com?query=1",
        "https://example.com/p?x=1#frag",
        "https://user@example.com#frag",
        "https://:pw@example.com/",
        "https://a:b:c@example.com/x",
        "cert:///etc/ssl/client.pem",
        "https://example.com:notaport/x",
        "ssh://git@example.com/~user/repo",
        "https://h%2Fx/p%2Fq",
    ]

    /// What git hands a helper for `url`: the `name=value` lines of `git credential reject`'s call.
    static func gitParts(_ url: String, folder: TemporaryFolder) throws -> [String: String] {
        let log = folder.appending("seen-\(UUID().uuidString)")
        let helper = "!f() { cat > '\(log)'; }; f"
        let result = try Subprocess.run("/usr/bin/env", ["git", "-c", "credential.helper=", "-c", "credential.helper=\(helper)",
                                                         "-c", "credential.useHttpPath=true", "credential", "reject"],
                                        environment: ["PATH": "/usr/bin:/bin", "HOME": folder.path, "GIT_CONFIG_NOSYSTEM": "1"],
                                        input: "url=\(url)\n\n", timeout: 30)
        #expect(result.status == 0, "git credential reject: \(result.stderr)")
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        var parts: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            parts[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return parts
    }

    @Test("the parts are git's own", arguments: urls)
    func matchesGit(url: String) throws {
        let folder = TemporaryFolder("locket-git-url")
        let git = try Self.gitParts(url, folder: folder)
        let ours = CredentialAttributes.parse("url=\(url)\n")
        #expect(ours.protocol == git["protocol"], "protocol of \(url)")
        // git keeps an empty host as `host=`; ours leaves it absent, as every empty attribute.
        // git leaves the escapes of a host with a port as written (its decoder takes
        // everything before a colon for a scheme); ours decodes them either way.
        let gitHost = git["host"].flatMap { $0.isEmpty ? nil : (CredentialKey.unescape(Substring($0)) ?? $0) }
        #expect(ours.host == gitHost, "host of \(url)")
        #expect(ours.path == git["path"], "path of \(url)")
        // A blank user or password from a URL is left absent (git passes `username=`).
        #expect(ours.username == git["username"].flatMap { $0.isEmpty ? nil : $0 }, "username of \(url)")
        #expect(ours.password == git["password"].flatMap { $0.isEmpty ? nil : $0 }, "password of \(url)")
    }

    @Test func withoutASchemeNothingIsSet() {
        #expect(CredentialURL("example.com/path") == nil)
        #expect(CredentialURL("://example.com") == nil)
        let parsed = CredentialAttributes.parse("host=old\nurl=example.com\n")
        #expect(parsed.host == nil && parsed.protocol == nil)
    }

    @Test func splitsEachCase() throws {
        let full = try #require(CredentialURL("https://u%40x:p%3Aw@h:1/a/b/"))
        #expect(full == CredentialURL(protocol: "https", host: "h:1", path: "a/b", username: "u@x", password: "p:w"))
        let atInPath = try #require(CredentialURL("https://h/x@y"))
        #expect(atInPath.username == nil && atInPath.host == "h" && atInPath.path == "x@y")
        let bad = try #require(CredentialURL("https://h/%zz%41"))
        #expect(bad.path == "%zz%41")
    }
}

extension CredentialURL {
    init(protocol: String?, host: String?, path: String?, username: String?, password: String?) {
        self.init("x://")!
        (self.protocol, self.host, self.path, self.username, self.password) = (`protocol`, host, path, username, password)
    }
}
