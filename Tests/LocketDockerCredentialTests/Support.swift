import Foundation
import LocketTestSupport

/// A running `locketd` of its own for the docker helper.
final class DockerVault: @unchecked Sendable {
    let daemon: Daemon

    init() throws {
        daemon = try Daemon.started()
    }

    var socketPath: String { daemon.socketPath }
    var environment: [String: String] { DockerVault.environment(socket: daemon.socketPath) }

    static func environment(socket: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "XDG_RUNTIME_DIR")
        env["LOCKET_SOCKET"] = socket
        return env
    }
}

enum DockerPaths {
    static let helper = Subprocess.product("docker-credential-locket")
}

/// `docker-credential-locket ARGUMENTS` with `input` on stdin.
func dockerHelper(_ arguments: [String], _ input: String? = "", environment: [String: String]) throws -> ProcessOutput {
    try Subprocess.run(DockerPaths.helper, arguments, environment: environment, input: input, timeout: 20)
}
