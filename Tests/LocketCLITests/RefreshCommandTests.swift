// `locket refresh` (one refresh per session under a lease), and the shell-script
// helpers `get --field/--raw` and `put --text`. The many-process runs are in LocketLeaseTests.
import Foundation
import LocketTestSupport
import Testing

@Suite("refresh, get --field/--raw, put --text")
struct RefreshCommandTests {
    /// A refresh COMMAND: reads the session from stdin, prints it with "n" + 1.
    static let bump = #"python3 -c 'import json,sys; v=json.load(sys.stdin); v["n"]+=1; print(json.dumps(v,separators=(",",":")))'"#

    @Test("the holder runs COMMAND with the value on stdin, stores what it prints (with --ttl), and prints it")
    func refreshStores() throws {
        let cli = try CLI()
        try cli.put("app", "s", #"{"n":1}"#)
        let result = try cli.run("refresh", "app", "s", "--stale-version", "1", "--ttl", "600", "--", "/bin/sh", "-c", Self.bump)
        cli.expect(result, status: 0, stdout: #"{"n":2}"# + "\n")
        let entry = try LineClient.object(try cli.run("get", "app", "s", "--json").stdout)
        #expect(entry["version"] as? Int == 2)
        #expect(entry["expires_at"] is String, "--ttl reached the store")
    }

    @Test("--stale-version N with a live version other than N prints it at once; COMMAND does not run")
    func staleShortcut() throws {
        let cli = try CLI()
        try cli.put("app", "s", #"{"n":1}"#)
        try cli.put("app", "s", #"{"n":5}"#)
        let marker = cli.daemon.folder.appending("ran")
        let result = try cli.run("refresh", "app", "s", "--stale-version", "1", "--json", "--", "/bin/sh", "-c", "touch \(marker); echo 0")
        cli.expect(result, status: 0, stdout: #"{"value":{"n":5},"version":2,"refreshed_here":false}"# + "\n")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("COMMAND failing or printing no JSON: nothing stored, its stderr passed on, exit 6, lease released")
    func commandFails() throws {
        let cli = try CLI()
        try cli.put("app", "s", #"{"n":1}"#)
        cli.expect(try cli.run("refresh", "app", "s", "--", "/bin/sh", "-c", "echo provider said no >&2; exit 3"), status: 6,
                   stderr: "provider said no\nlocket: the refresh command exited with status 3; nothing was stored\n")
        let notJSON = try cli.run("refresh", "app", "s", "--", "/bin/echo", "not json")
        #expect(notJSON.status == 6)
        #expect(notJSON.stderr.contains("printed no valid JSON value"))
        cli.expect(try cli.run("refresh", "app", "s", "--", "/nonexistent/cmd"), status: 6,
                   stderr: "locket: cannot run the refresh command: /nonexistent/cmd: command not found; nothing was stored\n")
        cli.expect(try cli.run("get", "app", "s"), status: 0, stdout: #"{"n":1}"# + "\n")
        // Released each time: the next refresh gets the lease at once (it would wait 60 s otherwise).
        let next = try cli.run("refresh", "app", "s", "--", "/bin/sh", "-c", Self.bump)
        cli.expect(next, status: 0, stdout: #"{"n":2}"# + "\n")
        #expect(next.seconds < 30)
    }

    @Test("no entry: COMMAND gets null and its output creates the entry; usage errors exit 2")
    func noEntryAndUsage() throws {
        let cli = try CLI()
        cli.expect(try cli.run("refresh", "app", "new", "--", "/bin/sh", "-c", #"read v; [ "$v" = null ] && echo '"made"'"#),
                   status: 0, stdout: "\"made\"\n")
        #expect(try cli.run("refresh", "app", "new").status == 2)
        #expect(try cli.run("refresh", "app", "new", "--stale-version", "-1", "--", "true").status == 2)
        #expect(try cli.run("refresh", "app", "new", "--lease-duration", "0", "--", "true").status == 2)
    }

    @Test("COMMAND running past the lease is killed and nothing is stored")
    func overrun() throws {
        let cli = try CLI()
        try cli.put("app", "s", "1")
        let result = try cli.run("refresh", "app", "s", "--lease-duration", "1", "--", "/bin/sleep", "30")
        #expect(result.status == 6)
        #expect(result.stderr.contains("ran past the lease"))
        #expect(result.seconds < 20)
    }

    @Test("get --field prints one member, --raw a string's text; put --text stores a string")
    func fieldRawText() throws {
        let cli = try CLI()
        try cli.put("app", "s", #"{"accessToken":"a\"b\u00e9","n":7}"#)
        cli.expect(try cli.run("get", "app", "s", "--field", "accessToken", "--raw"), status: 0, stdout: "a\"bé\n")
        cli.expect(try cli.run("get", "app", "s", "--field", "accessToken"), status: 0, stdout: #""a\"b\u00e9""# + "\n")
        cli.expect(try cli.run("get", "app", "s", "--field", "n"), status: 0, stdout: "7\n")
        cli.expect(try cli.run("get", "app", "s", "--field", "missing"), status: 1,
                   stderr: "locket: not found: app/s has no member \"missing\"\n")
        #expect(try cli.run("get", "app", "s", "--field", "n", "--raw").status == 2)
        #expect(try cli.run("get", "app", "s", "--raw").status == 2)
        cli.expect(try cli.run("put", "app", "t", "--text", "he said \"hi\"\n"), status: 0)
        cli.expect(try cli.run("get", "app", "t"), status: 0, stdout: #""he said \"hi\"\n""# + "\n")
        cli.expect(try cli.run("get", "app", "t", "--raw"), status: 0, stdout: "he said \"hi\"\n\n")
        #expect(try cli.run("put", "app", "t", "x", "--text", "y").status == 2)
    }
}
