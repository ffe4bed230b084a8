import Foundation
import Testing
import LocketClient
import LocketTestSupport

/// docker's credential-helper protocol on the helper's stdin, against a real
/// `locketd`: every verb and every error path, with the messages and exit
/// statuses of docker/docker-credential-helpers.
@Suite struct DockerProtocolTests {
    static let stored = #"{"ServerURL":"https://index.docker.io/v1/","Username":"ada","Secret":"s3cret"}"#

    @Test func storeGetListErase() throws {
        let vault = try DockerVault()
        let env = vault.environment
        let empty = try dockerHelper(["list"], nil, environment: env)
        #expect(empty.status == 0 && empty.stdout == "{}\n" && empty.stderr == "")

        let store = try dockerHelper(["store"], Self.stored + "\n", environment: env)
        #expect(store.status == 0 && store.stdout == "" && store.stderr == "")
        let get = try dockerHelper(["get"], "https://index.docker.io/v1/\n", environment: env)
        #expect(get.status == 0)
        #expect(get.stdout == Self.stored + "\n")
        // Surrounding blanks of the URL are trimmed, as the Go helpers do.
        #expect(try dockerHelper(["get"], "  https://index.docker.io/v1/ \r\n", environment: env).stdout == Self.stored + "\n")

        _ = try dockerHelper(["store"], #"{"ServerURL":"127.0.0.1:5000","Username":"<token>","Secret":"id-token"}"#, environment: env)
        let list = try dockerHelper(["list"], nil, environment: env)
        #expect(list.stdout == #"{"127.0.0.1:5000":"\u003ctoken\u003e","https://index.docker.io/v1/":"ada"}"# + "\n")
        // The identity-token convention comes back as stored (Go's HTML-safe escaping).
        #expect(try dockerHelper(["get"], "127.0.0.1:5000", environment: env).stdout
            == #"{"ServerURL":"127.0.0.1:5000","Username":"\u003ctoken\u003e","Secret":"id-token"}"# + "\n")

        // Storing again replaces.
        _ = try dockerHelper(["store"], #"{"ServerURL":"127.0.0.1:5000","Username":"bob","Secret":"pw2"}"#, environment: env)
        #expect(try dockerHelper(["get"], "127.0.0.1:5000", environment: env).stdout
            == #"{"ServerURL":"127.0.0.1:5000","Username":"bob","Secret":"pw2"}"# + "\n")

        let erase = try dockerHelper(["erase"], "https://index.docker.io/v1/", environment: env)
        #expect(erase.status == 0 && erase.stdout == "")
        let gone = try dockerHelper(["get"], "https://index.docker.io/v1/", environment: env)
        #expect(gone.status == 1)
        #expect(gone.stdout == "credentials not found in native keychain\n")
        // Erasing what is not there succeeds, as docker's Secret Service and pass helpers do.
        #expect(try dockerHelper(["erase"], "https://index.docker.io/v1/", environment: env).status == 0)
        #expect(try dockerHelper(["list"], nil, environment: env).stdout == #"{"127.0.0.1:5000":"bob"}"# + "\n")
        // The entry lives in namespace docker under the URL.
        let entry = try LocketClient(socketPath: vault.socketPath).get(ns: "docker", key: "127.0.0.1:5000")
        #expect(String(decoding: entry.valueJSON, as: UTF8.self) == #"{"ServerURL":"127.0.0.1:5000","Username":"bob","Secret":"pw2"}"#)
    }

    @Test func storeReadsJSONAsGoDoes() throws {
        let vault = try DockerVault()
        let env = vault.environment
        // Names without regard to case, unknown members ignored, null leaves a field empty,
        // lines joined without their breaks, what follows the object not read.
        let input = "{\"serverurl\": \"r.example\",\n \"USERNAME\": \"u\", \"Extra\": [1, {\"a\": null}],\r\n"
            + " \"Secret\": null, \"secret\": \"p\\u00e9\\n\"} trailing"
        let store = try dockerHelper(["store"], input, environment: env)
        #expect(store.status == 0, "\(store.stdout)")
        #expect(try dockerHelper(["get"], "r.example", environment: env).stdout
            == #"{"ServerURL":"r.example","Username":"u","Secret":"pé\n"}"# + "\n")
    }

    @Test func errorPathsAnswerOnStdoutWithStatusOne() throws {
        let vault = try DockerVault()
        let env = vault.environment
        let cases: [([String], String, String)] = [
            (["get"], "https://unknown.example", "credentials not found in native keychain"),
            (["get"], " \n", "no credentials server URL"),
            (["erase"], "", "no credentials server URL"),
            (["store"], #"{"Username":"u","Secret":"s"}"#, "no credentials server URL"),
            (["store"], #"{"ServerURL":"x","Secret":"s"}"#, "no credentials username"),
            (["store"], #"{"ServerURL":"x","Username":"","Secret":"s"}"#, "no credentials username"),
            (["store"], "", "invalid credentials JSON: no input"),
            (["store"], "not json", "invalid credentials JSON: unexpected character 'o' at offset 1, expected 'null'"),
            (["store"], "x", "invalid credentials JSON: unexpected character 'x' at offset 0, expected a value"),
            (["store"], #"["ServerURL"]"#, "invalid credentials JSON: a array where an object was expected"),
            (["store"], #"{"ServerURL":1,"Username":"u"}"#, "invalid credentials JSON: a number cannot be the ServerURL (a string)"),
            (["store"], #"{"ServerURL":"x","Username":"u""#, "invalid credentials JSON: unexpected end of input, expected ',' or '}'"),
            (["store"], String(repeating: "a", count: 70_000), "bufio.Scanner: token too long"),
            (["store"], String(repeating: "a\n", count: 3_000_000), "the input is over 4194304 bytes"),
            (["get"], String(repeating: "h", count: 300), "the server URL is 300 bytes long, over Locket's 256"),
            (["frobnicate"], "", "docker-credential-locket: unknown action: frobnicate"),
            ([], "", "Usage: docker-credential-locket <store|get|erase|list|version>"),
            (["get", "extra"], "", "Usage: docker-credential-locket <store|get|erase|list|version>"),
        ]
        for (arguments, input, message) in cases {
            let result = try dockerHelper(arguments, input, environment: env)
            #expect(result.status == 1, "\(arguments) \(input.prefix(40))")
            #expect(result.stdout == message + "\n", "\(arguments) \(input.prefix(40))")
            #expect(result.stderr == "")
        }
        // Nothing was stored by any of them.
        #expect(try LocketClient(socketPath: vault.socketPath).list(ns: "docker").isEmpty)
        // A value in the namespace that is not a docker credential reads as not found and is not listed.
        try LocketClient(socketPath: vault.socketPath).put(ns: "docker", key: "odd", valueJSON: Array("[1]".utf8))
        #expect(try dockerHelper(["get"], "odd", environment: env).stdout == "credentials not found in native keychain\n")
        #expect(try dockerHelper(["list"], nil, environment: env).stdout == "{}\n")
    }

    /// With an access rule naming the helper, the helper keeps working and other programs are kept out.
    @Test func anAccessRuleForTheHelper() throws {
        let vault = try DockerVault()
        let env = vault.environment
        let helperPath = URL(fileURLWithPath: DockerPaths.helper).resolvingSymlinksInPath().path
        _ = try LocketClient(socketPath: vault.socketPath).allow(ns: "docker", path: helperPath)
        #expect(try dockerHelper(["store"], Self.stored, environment: env).status == 0)
        #expect(try dockerHelper(["get"], "https://index.docker.io/v1/", environment: env).stdout == Self.stored + "\n")
        #expect(try dockerHelper(["list"], nil, environment: env).stdout == #"{"https://index.docker.io/v1/":"ada"}"# + "\n")
        let denied = Result { () throws(LocketError) in try LocketClient(socketPath: vault.socketPath).list(ns: "docker") }
        guard case .failure(.forbidden) = denied else {
            Issue.record("a program the rule does not name listed namespace docker: \(denied)")
            return
        }
    }

    @Test func versionAndHelp() throws {
        let env = DockerVault.environment(socket: "/nonexistent/locket.sock")
        for flag in ["version", "--version", "-v"] {
            let result = try dockerHelper([flag], nil, environment: env)
            #expect(result.status == 0 && result.stdout == "docker-credential-locket (locket) 0.1.0\n")
        }
        let help = try dockerHelper(["--help"], nil, environment: env)
        #expect(help.status == 0 && help.stdout == "Usage: docker-credential-locket <store|get|erase|list|version>\n")
    }

    @Test func withoutADaemonGetIsNotFoundAndWritesFail() throws {
        let folder = TemporaryFolder("locket-docker-nodaemon")
        let env = DockerVault.environment(socket: folder.appending("absent.sock"))
        let get = try dockerHelper(["get"], "https://index.docker.io/v1/", environment: env)
        #expect(get.status == 1 && get.stdout == "credentials not found in native keychain\n")
        let list = try dockerHelper(["list"], nil, environment: env)
        #expect(list.status == 0 && list.stdout == "{}\n")
        for (verb, input) in [("store", Self.stored), ("erase", "https://index.docker.io/v1/")] {
            let result = try dockerHelper([verb], input, environment: env)
            #expect(result.status == 1)
            #expect(result.stdout.hasPrefix("locketd is not running"))
            #expect(result.stdout.filter { $0 == "\n" }.count == 1)
        }
    }
}
