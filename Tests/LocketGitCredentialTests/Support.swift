import Foundation
import LocketTestSupport

/// A running `locketd` of its own, and the environment of the programs under test.
final class Vault: @unchecked Sendable {
    let daemon: Daemon
    /// HOME of git and the helper (so no user configuration applies).
    let home = TemporaryFolder("locket-git-home")

    init() throws {
        daemon = try Daemon.started()
    }

    var socketPath: String { daemon.socketPath }

    /// The environment with the daemon's socket, an empty HOME, and no way for git to prompt.
    var environment: [String: String] { Vault.environment(socket: daemon.socketPath, home: home.path) }

    static func environment(socket: String, home: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in ["LOCKET_SOCKET", "XDG_RUNTIME_DIR", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_CONFIG_GLOBAL", "GIT_DIR",
                     "GIT_WORK_TREE", "XDG_CONFIG_HOME", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"] {
            env.removeValue(forKey: name)
        }
        env["LOCKET_SOCKET"] = socket
        env["HOME"] = home
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        return env
    }
}

enum Paths {
    static let helper = Subprocess.product("git-credential-locket")
    static let example = Subprocess.product("locket-example")
    /// The package's root folder.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let pythonClientFolder = root + "/Protocol/clients/python"
}

/// `git-credential-locket ACTION` with `input` on stdin.
func helper(_ action: String, _ input: String, environment: [String: String]) throws -> ProcessOutput {
    try Subprocess.run(Paths.helper, [action], environment: environment, input: input, timeout: 20)
}
