import Foundation
import Testing
import LocketClient
import LocketTestSupport

/// The Python client (the `locket` package, from its source folder) and the example app against a real `locketd`.
@Suite struct OtherClientsTests {
    @Test func pythonClientSpeaksTheProtocol() throws {
        let vault = try Vault()
        let script = """
            import json, sys, tempfile
            sys.path.insert(0, sys.argv[1])
            from locket import Locket, LocketError
            with Locket() as vault:
                out = {}
                out["status"] = vault.status()
                out["put"] = vault.put("py", "k", {"a": [1, 2.5, None], "s": "é\\n"}, ttl=60)
                out["put2"] = vault.put("py", "k", None, if_version=1)
                out["get"] = vault.get("py", "k")
                vault.put("py", "j", "x")
                out["list"] = [item["key"] for item in vault.list("py")]
                out["delete"] = vault.delete("py", "k")
                out["delete_again"] = vault.delete("py", "k")
                try:
                    vault.get("py", "k")
                except LocketError as error:
                    out["error"] = error.code
                try:
                    vault.put("py", "j", 1, if_version=7)
                except LocketError as error:
                    out["conflict"] = error.code
                out["hello"] = vault.call("hello", version=1)["protocol"]
            try:
                Locket(tempfile.mkdtemp() + "/absent.sock").status()
            except LocketError as error:
                out["absent"] = error.code
            print(json.dumps(out))
            """
        let result = try Subprocess.run("/usr/bin/env", ["python3", "-c", script, Paths.pythonClientFolder],
                                        environment: vault.environment, timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let status = try #require(out["status"] as? [String: Any])
        #expect(status["locked"] as? Bool == false)
        #expect(status["key_store"] as? String == "file")
        let put = try #require(out["put"] as? [String: Any])
        #expect(put["created"] as? Bool == true)
        #expect(put["version"] as? Int == 1)
        #expect(put["expires_at"] is String)
        #expect((out["put2"] as? [String: Any])?["version"] as? Int == 2)
        #expect(out["get"] is NSNull)
        #expect(out["list"] as? [String] == ["j", "k"])
        #expect(out["delete"] as? Bool == true)
        #expect(out["delete_again"] as? Bool == false)
        #expect(out["error"] as? String == "not_found")
        #expect(out["conflict"] as? String == "conflict")
        #expect(out["hello"] as? Int == 1)
        #expect(out["absent"] as? String == "daemon_not_running")
    }

    @Test func pythonClientDemoRuns() throws {
        let vault = try Vault()
        var environment = vault.environment
        environment["PYTHONPATH"] = Paths.pythonClientFolder
        let result = try Subprocess.run("/usr/bin/env", ["python3", "-m", "locket"], environment: environment, timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("get after delete: not_found"))
    }

    @Test func exampleAppResumesItsSession() throws {
        let vault = try Vault()
        let run = { (arguments: [String]) throws -> ProcessOutput in
            try Subprocess.run(Paths.example, ["--socket", vault.socketPath, "--account", "ada"] + arguments, timeout: 20)
        }
        let first = try run([])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("No saved session: logging in"))
        #expect(first.stdout.contains("Logged in; session saved"))

        let second = try run([])
        #expect(second.status == 0)
        #expect(second.stdout.contains("Resumed session for ada (no login needed); access token expires at "))
        #expect(!second.stdout.contains("Logged in"))

        let client = LocketClient(socketPath: vault.socketPath)
        let before = try #require(try client.value(Session.self, ns: "example-app", key: "ada"))
        let refreshed = try run(["--refresh"])
        #expect(refreshed.stdout.contains("Resumed session"))
        #expect(refreshed.stdout.contains("Refreshed the session for ada (this process held the refresh lease; refresh token rotated)"))
        let after = try #require(try client.value(Session.self, ns: "example-app", key: "ada"))
        #expect(after.refreshToken != before.refreshToken)
        #expect(try client.get(ns: "example-app", key: "ada").expiresAt != nil)

        #expect(try client.delete(ns: "example-app", key: "ada"))
        let third = try run([])
        #expect(third.stdout.contains("Logged in; session saved"))
    }

    @Test func exampleAppWithoutADaemonLogsInWithoutSaving() throws {
        let folder = TemporaryFolder("locket-example-nodaemon")
        let result = try Subprocess.run(Paths.example, ["--socket", folder.appending("absent.sock")], timeout: 20)
        #expect(result.status == 0)
        #expect(result.stdout.contains("locketd is not running"))
        #expect(result.stdout.contains("Logged in (session not saved)"))
    }
}
