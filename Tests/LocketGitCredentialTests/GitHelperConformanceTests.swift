import Testing
import LocketClient
import LocketTestSupport

/// `helper_test` of git's t/lib-credential.sh (the conformance cases git runs
/// against its own `store` and `cache` helpers), ported case by case and in
/// order, through the real `git credential` (Debian's 2.39) and a real
/// `locketd`. Left out: "not confused by long header" needs `wwwauth[]`, which
/// git 2.39 does not pass on (it is driven directly in `AuthtypeAndBlankTests`).
@Suite struct GitHelperConformanceTests {
    @Test func helperTestOfGit() throws {
        let git = try GitConformance()
        let https = ["protocol=https", "host=example.com"]

        // "has no existing data"
        let nothing = GitConformance.asked("https", "example.com")
        try git.check("fill", https, stdout: nothing.stdout, stderr: nothing.stderr)
        // "stores password", "can retrieve password"
        try git.check("approve", https + ["username=store-user", "password=store-pass"])
        try git.check("fill", https, stdout: https + ["username=store-user", "password=store-pass"])
        // "requires matching protocol", "requires matching host", "requires matching username"
        let http = GitConformance.asked("http", "example.com")
        try git.check("fill", ["protocol=http", "host=example.com"], stdout: http.stdout, stderr: http.stderr)
        let other = GitConformance.asked("https", "other.tld")
        try git.check("fill", ["protocol=https", "host=other.tld"], stdout: other.stdout, stderr: other.stderr)
        let otherUser = GitConformance.askedPassword("https", "example.com", user: "other")
        try git.check("fill", https + ["username=other"], stdout: otherUser.stdout, stderr: otherUser.stderr)
        // "requires matching path"
        let withPath = ["credential.usehttppath=true"]
        try git.check("approve", ["protocol=http", "host=path.tld", "path=foo.git", "username=user", "password=pass"],
                      config: withPath)
        let bar = GitConformance.asked("http", "path.tld", path: "bar.git")
        try git.check("fill", ["protocol=http", "host=path.tld", "path=bar.git"], stdout: bar.stdout, stderr: bar.stderr,
                      config: withPath)
        // "overwrites on store"
        try git.check("approve", https + ["username=user-overwrite", "password=pass1"])
        try git.check("approve", https + ["username=user-overwrite", "password=pass2"])
        try git.check("fill", https + ["username=user-overwrite"], stdout: https + ["username=user-overwrite", "password=pass2"])
        try git.check("reject", https + ["username=user-overwrite", "password=pass2"])
        let overwritten = GitConformance.askedPassword("https", "example.com", user: "user-overwrite")
        try git.check("fill", https + ["username=user-overwrite"], stdout: overwritten.stdout, stderr: overwritten.stderr)
        // "can forget host"
        try git.check("reject", https)
        try git.check("fill", https, stdout: nothing.stdout, stderr: nothing.stderr)
        // "can store multiple users"
        try git.check("approve", https + ["username=user1", "password=pass1"])
        try git.check("approve", https + ["username=user2", "password=pass2"])
        try git.check("fill", https + ["username=user1"], stdout: https + ["username=user1", "password=pass1"])
        try git.check("fill", https + ["username=user2"], stdout: https + ["username=user2", "password=pass2"])
        // "does not erase a password distinct from input"
        try git.check("approve", https + ["username=user-distinct-pass", "password=pass1"])
        try git.check("reject", https + ["username=user-distinct-pass", "password=pass2"])
        try git.check("fill", https + ["username=user-distinct-pass"],
                      stdout: https + ["username=user-distinct-pass", "password=pass1"])
        // "can forget user", "remembers other user"
        try git.check("reject", https + ["username=user1"])
        let forgotten = GitConformance.askedPassword("https", "example.com", user: "user1")
        try git.check("fill", https + ["username=user1"], stdout: forgotten.stdout, stderr: forgotten.stderr)
        try git.check("fill", https + ["username=user2"], stdout: https + ["username=user2", "password=pass2"])
        // "can store empty username" (issue 21: failed before, git asked askpass)
        try git.check("approve", ["protocol=https", "host=sso.tld", "username=", "password="])
        try git.check("fill", ["protocol=https", "host=sso.tld"],
                      stdout: ["protocol=https", "host=sso.tld", "username=", "password="])
        // "erases all matching credentials"
        try git.check("approve", https + ["username=user-erase1", "password=pass1"])
        try git.check("approve", https + ["username=user-erase2", "password=pass1"])
        try git.check("reject", https)
        try git.check("fill", https, stdout: nothing.stdout, stderr: nothing.stderr)

        // What is left: the path.tld and sso.tld entries, nothing of example.com.
        let keys = try LocketClient(socketPath: git.vault.socketPath).list(ns: "git").map(\.key)
        #expect(keys == ["http://path.tld/foo.git?user", "https://sso.tld"])
    }

    /// Issue 21: a `reject` without a path erases the entries stored with one
    /// (git's helpers match a missing attribute with anything); with a path, only that path's.
    @Test func rejectWithoutPathErasesEntriesWithOne() throws {
        let git = try GitConformance()
        let withPath = ["credential.usehttppath=true"]
        try git.check("approve", ["protocol=http", "host=path.tld", "path=a.git", "username=user", "password=pa"], config: withPath)
        try git.check("approve", ["protocol=http", "host=path.tld", "path=b.git", "username=user", "password=pb"], config: withPath)
        try git.check("reject", ["protocol=http", "host=path.tld", "path=a.git", "username=user"], config: withPath)
        let a = GitConformance.askedPassword("http", "path.tld/a.git", user: "user")
        try git.check("fill", ["protocol=http", "host=path.tld", "path=a.git", "username=user"],
                      stdout: ["protocol=http", "host=path.tld", "path=a.git", "username=user", "password=askpass-password"],
                      stderr: a.stderr, config: withPath)
        try git.check("fill", ["protocol=http", "host=path.tld", "path=b.git", "username=user"],
                      stdout: ["protocol=http", "host=path.tld", "path=b.git", "username=user", "password=pb"], config: withPath)
        // Without credential.useHttpPath git drops the path: the reject matches b.git too.
        try git.check("reject", ["protocol=http", "host=path.tld", "path=b.git", "username=user"])
        #expect(try LocketClient(socketPath: git.vault.socketPath).list(ns: "git").isEmpty)
    }
}
