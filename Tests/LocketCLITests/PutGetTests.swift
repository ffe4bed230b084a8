// `locket put` and `locket get`: where the value comes from, that it comes
// back byte for byte, and the exit codes of invalid JSON, absence and conflict.
import Foundation
import LocketTestSupport
import Testing

@Suite("put and get")
struct PutGetTests {
    @Test("put NS KEY VALUE prints nothing; get prints the exact JSON text back")
    func putFromArgument() throws {
        let cli = try CLI()
        cli.expect(try cli.run("put", "app", "k", #"{"a":[1,2.5,"x"]}"#), status: 0)
        cli.expect(try cli.run("get", "app", "k"), status: 0, stdout: #"{"a":[1,2.5,"x"]}"# + "\n")
    }

    @Test("get returns member order, spacing, number spelling and escapes as stored")
    func getIsByteIdentical() throws {
        let cli = try CLI()
        let value = #"{"z": 2.50, "a":1E2,"big":123456789012345678901234567890,"s":"\u00e9\n","dup":1,"dup":2}"#
        try cli.put("app", "k", value)
        cli.expect(try cli.run("get", "app", "k"), status: 0, stdout: value + "\n")
        try cli.put("app", "text", #""hello world""#)
        cli.expect(try cli.run("get", "app", "text"), status: 0, stdout: "\"hello world\"\n")
    }

    @Test("without VALUE, or with -, the value is read from stdin (surrounding whitespace dropped)")
    func putFromStandardInput() throws {
        let cli = try CLI()
        cli.expect(try cli.run("put", "app", "a", input: #"{"from":"stdin"}"# + "\n"), status: 0)
        cli.expect(try cli.run("get", "app", "a"), status: 0, stdout: #"{"from":"stdin"}"# + "\n")
        cli.expect(try cli.run("put", "app", "b", "-", input: "  [true, null]  \n"), status: 0)
        cli.expect(try cli.run("get", "app", "b"), status: 0, stdout: "[true, null]\n")
    }

    /// stdin was read with Foundation's FileHandle, which stops the process on a read
    /// error; now `read(2)` (no Foundation in the CLI): a usage error naming stdin.
    @Test("stdin that cannot be read is a usage error (exit 2), and nothing is stored")
    func putFromUnreadableStandardInput() throws {
        let cli = try CLI()
        let result = try Subprocess.run("/bin/sh", ["-c", #"exec "$0" put --socket "$1" app dir < /"#, locketBinary, cli.socket],
                                        environment: cleanEnvironment(), timeout: 20)
        cli.expect(result, status: 2, stderr: "locket: cannot read stdin: Is a directory\n")
        cli.expect(try cli.run("get", "app", "dir"), status: 1, stderr: "locket: not found: app/dir\n")
    }

    @Test("a multi-line value is stored compacted, strings untouched")
    func multiLineValueIsCompacted() throws {
        let cli = try CLI()
        let pretty = "{\n  \"user\": \"ada lovelace\",\n  \"ids\": [\n    1,\n    2\n  ]\n}\n"
        cli.expect(try cli.run("put", "app", "k", input: pretty), status: 0)
        cli.expect(try cli.run("get", "app", "k"), status: 0, stdout: #"{"user":"ada lovelace","ids":[1,2]}"# + "\n")
    }

    @Test("--file F reads the value from a file")
    func putFromFile() throws {
        let cli = try CLI()
        let folder = TemporaryFolder("locket-cli")
        let path = folder.appending("value.json")
        try Data(#"{"token":"t-1"}"#.utf8).write(to: URL(fileURLWithPath: path))
        cli.expect(try cli.run("put", "app", "k", "--file", path), status: 0)
        cli.expect(try cli.run("get", "app", "k"), status: 0, stdout: #"{"token":"t-1"}"# + "\n")
        cli.expect(try cli.run("put", "app", "k", "--file", folder.appending("missing.json")), status: 2,
                   stderr: "locket: cannot read \(folder.appending("missing.json")): No such file or directory\n")
        cli.expect(try cli.run("put", "app", "k", "1", "--file", path), status: 2,
                   stderr: "locket: give the value as an argument or with --file, not both (see 'locket put --help')\n")
    }

    @Test("invalid JSON is a usage error (exit 2) and stores nothing")
    func invalidJSON() throws {
        let cli = try CLI()
        cli.expect(try cli.run("put", "app", "k", #"{"a":"#), status: 2,
                   stderr: "locket: invalid JSON value at byte 5: unexpected end of input\n")
        cli.expect(try cli.run("put", "app", "k", "hello"), status: 2,
                   stderr: #"locket: invalid JSON value at byte 0: expected a JSON value (to store text, quote it as a JSON string: '"text"')"# + "\n")
        cli.expect(try cli.run("put", "app", "k", "[1,]"), status: 2,
                   stderr: "locket: invalid JSON value at byte 3: expected a JSON value\n")
        cli.expect(try cli.run("put", "app", "k", input: "\n"), status: 2, stderr: "locket: no value: stdin is empty\n")
        cli.expect(try cli.run("get", "app", "k"), status: 1, stderr: "locket: not found: app/k\n")
    }

    @Test("put --json prints created, version and expires_at")
    func putJSON() throws {
        let cli = try CLI()
        cli.expect(try cli.run("put", "app", "k", "1", "--json"), status: 0,
                   stdout: #"{"created":true,"version":1,"expires_at":null}"# + "\n")
        cli.expect(try cli.run("put", "app", "k", "2", "--json", "--ttl", "60"), status: 0,
                   stdout: #"{"created":false,"version":2,"expires_at":"YYYY-MM-DDTHH:MM:SSZ"}"# + "\n")
    }

    @Test("get --json prints the whole entry, the value as stored")
    func getJSON() throws {
        let cli = try CLI()
        try cli.put("app", "k", #"{"a": 1}"#)
        try cli.put("app", "k", #"{"a": 2}"#, "--ttl", "3600")
        cli.expect(try cli.run("get", "app", "k", "--json"), status: 0, stdout: """
            {"value":{"a": 2},"version":2,"created_at":"YYYY-MM-DDTHH:MM:SSZ","updated_at":"YYYY-MM-DDTHH:MM:SSZ","expires_at":"YYYY-MM-DDTHH:MM:SSZ"}

            """)
    }

    @Test("get of a missing entry exits 1 with one line on stderr")
    func getMissing() throws {
        let cli = try CLI()
        cli.expect(try cli.run("get", "app", "nope"), status: 1, stderr: "locket: not found: app/nope\n")
        cli.expect(try cli.run("get", "app", "nope", "--json"), status: 1, stderr: "locket: not found: app/nope\n")
    }

    @Test("put --if-version: a mismatch exits 5 and changes nothing; a match stores")
    func ifVersionConflict() throws {
        let cli = try CLI()
        cli.expect(try cli.run("put", "app", "k", "1", "--if-version", "0"), status: 0)
        cli.expect(try cli.run("put", "app", "k", "2", "--if-version", "0"), status: 5,
                   stderr: "locket: version conflict: the live entry has version 1\n")
        cli.expect(try cli.run("put", "app", "new", "2", "--if-version", "3"), status: 5,
                   stderr: "locket: version conflict: there is no live entry\n")
        cli.expect(try cli.run("get", "app", "k"), status: 0, stdout: "1\n")
        cli.expect(try cli.run("put", "app", "k", "3", "--if-version", "1", "--json"), status: 0,
                   stdout: #"{"created":false,"version":2,"expires_at":null}"# + "\n")
    }

    @Test("bad --ttl and --if-version, and names the daemon refuses, are usage errors")
    func badOptions() throws {
        let cli = try CLI()
        cli.expect(try cli.run("put", "app", "k", "1", "--ttl", "0"), status: 2,
                   stderr: "locket: --ttl must be a whole number of seconds from 1 to 3153600000, that is 100 years (see 'locket put --help')\n")
        cli.expect(try cli.run("put", "app", "k", "1", "--ttl", "soon"), status: 2,
                   stderr: "locket: the value 'soon' is invalid for '--ttl <seconds>' (see 'locket put --help')\n")
        cli.expect(try cli.run("put", "app", "k", "1", "--if-version=-1"), status: 2,
                   stderr: "locket: --if-version must be 0 or more (see 'locket put --help')\n")
        cli.expect(try cli.run("put", "", "k", "1"), status: 2, stderr: "locket: \"ns\" must not be empty\n")
    }

    @Test("get's quick path (no flags but --socket, anywhere) prints the same as the full parser; anything else takes the full parser")
    func quickGetShapes() throws {
        let cli = try CLI()
        try cli.put("app", "k", #"{"a":1}"#)
        let value = #"{"a":1}"# + "\n"
        cli.expect(try runLocket(["get", "app", "k", "--socket", cli.socket]), status: 0, stdout: value)
        cli.expect(try runLocket(["get", "--socket=\(cli.socket)", "app", "k"]), status: 0, stdout: value)
        cli.expect(try runLocket(["get", "app", "--socket", cli.socket, "k"]), status: 0, stdout: value)
        // A flag the quick path does not take, and an error: the full parser answers, as ever.
        let json = try runLocket(["get", "app", "k", "--json", "--socket", cli.socket])
        #expect(json.status == 0)
        #expect(json.stdout.hasPrefix(#"{"value":{"a":1},"version":1,"#))
        cli.expect(try runLocket(["get", "app", "nope", "--socket", cli.socket]), status: 1, stderr: "locket: not found: app/nope\n")
        cli.expect(try runLocket(["get", "app", "--socket", cli.socket]), status: 2,
                   stderr: "locket: missing expected argument '<key>' (see 'locket get --help')\n")
        cli.expect(try runLocket(["get", "app", "k", "extra", "--socket", cli.socket]), status: 2,
                   stderr: "locket: unexpected argument 'extra' (see 'locket get --help')\n")
    }
}

