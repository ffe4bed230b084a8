import Foundation
import Testing
import LocketTestSupport

/// git's own conformance harness for credential helpers (`check` in git's
/// t/lib-credential.sh), in Swift: runs `git -c credential.helper=… credential
/// CMD` with an askpass script that answers `askpass-username` /
/// `askpass-password` and logs each prompt on stderr, then compares stdout and
/// stderr exactly with what git's test expects.
struct GitConformance {
    let vault: Vault
    let environment: [String: String]
    let helper: String
    private let scripts = TemporaryFolder("locket-git-askpass")

    init() throws {
        vault = try Vault()
        helper = "!\(Paths.helper)"
        let askpass = scripts.appending("askpass")
        try """
            #!/bin/sh
            echo >&2 askpass: $*
            what=$(echo $1 | cut -d" " -f1 | tr A-Z a-z | tr -cd a-z)
            echo "askpass-$what"

            """.write(toFile: askpass, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: askpass)
        var env = vault.environment
        env["GIT_ASKPASS"] = askpass
        environment = env
    }

    /// `check CMD HELPER` of t/lib-credential.sh: `input` on stdin, then stdout
    /// and stderr must be exactly `stdout` and `stderr` (each a list of lines).
    func check(_ command: String, _ input: [String], stdout: [String] = [], stderr: [String] = [],
               config: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        var arguments = ["git", "-C", vault.home.path, "-c", "credential.helper=\(helper)"]
        for setting in config { arguments += ["-c", setting] }
        arguments += ["credential", command]
        let result = try Subprocess.run("/usr/bin/env", arguments, environment: environment,
                                        input: input.map { $0 + "\n" }.joined(), timeout: 30)
        #expect(result.status == 0, "git credential \(command) failed: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout == stdout.map { $0 + "\n" }.joined(), sourceLocation: sourceLocation)
        #expect(result.stderr == stderr.map { $0 + "\n" }.joined(), sourceLocation: sourceLocation)
    }

    /// What git prints after asking askpass for both parts.
    static func asked(_ proto: String, _ host: String, path: String? = nil) -> (stdout: [String], stderr: [String]) {
        let shown = path.map { "\(host)/\($0)" } ?? host
        var out = ["protocol=\(proto)", "host=\(host)"]
        if let path { out.append("path=\(path)") }
        return (out + ["username=askpass-username", "password=askpass-password"],
                ["askpass: Username for '\(proto)://\(shown)':",
                 "askpass: Password for '\(proto)://askpass-username@\(shown)':"])
    }

    /// What git prints after asking askpass for the password of `user` only.
    static func askedPassword(_ proto: String, _ host: String, user: String) -> (stdout: [String], stderr: [String]) {
        (["protocol=\(proto)", "host=\(host)", "username=\(user)", "password=askpass-password"],
         ["askpass: Password for '\(proto)://\(user)@\(host)':"])
    }
}
