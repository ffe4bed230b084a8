import Foundation
import LocketTestSupport
import Testing

/// Runs the real `locket-demo` binary and decodes its `--json` report.
struct DemoRun {
    let output: ProcessOutput
    let report: [String: Any]?

    init(dataDir: String, keyStore: String = "auto", extra: [String] = [], environment: [String: String]) throws {
        output = try Subprocess.run(
            Subprocess.product("locket-demo"),
            ["--json", "--data-dir", dataDir, "--key-store", keyStore] + extra,
            environment: environment, timeout: 60)
        let line = output.stdout.split(separator: "\n").last.map(String.init) ?? ""
        report = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    var keyStore: String? { report?["key_store"] as? String }
    var notice: String? { report?["key_store_notice"] as? String }
    var resumed: Bool { report?["resumed"] as? Bool ?? false }
    var plaintextOnDisk: Bool { report?["plaintext_on_disk"] as? Bool ?? true }
    var version: Int? { report?["version"] as? Int }
    var vaultID: String? { report?["vault_id"] as? String }
}

/// An environment with no session bus at all: no address, no DISPLAY, a runtime folder without a bus socket.
func noBusEnvironment(runtime: TemporaryFolder) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "DBUS_SESSION_BUS_ADDRESS")
    env.removeValue(forKey: "DISPLAY")
    env["XDG_RUNTIME_DIR"] = runtime.path
    return env
}

/// Every file of a folder with its bytes, except the lock file and key files.
func snapshot(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name != "vault.lock" && !name.hasPrefix("master-") {
        files[name] = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name))
    }
    return files
}
