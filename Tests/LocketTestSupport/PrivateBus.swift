import Foundation

/// A private D-Bus session bus, optionally with a real gnome-keyring-daemon
/// on it (secrets component, "login" collection unlocked as the default).
/// Started by the tests themselves; stopped on `stop()` or when this test
/// process exits (a watchdog kills both if the test runner dies).
public final class PrivateBus: @unchecked Sendable {
    /// The bus address (`unix:path=…`), for `DBUS_SESSION_BUS_ADDRESS`.
    public let address: String
    /// HOME and XDG_RUNTIME_DIR of the keyring (its files live here).
    public let home: TemporaryFolder
    public let runtime: TemporaryFolder
    private let busPID: Int32
    public private(set) var keyringPID: Int32?

    /// The environment for a child process on this bus: no DISPLAY, so nothing autolaunches.
    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DISPLAY")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        env["HOME"] = home.path
        env["XDG_RUNTIME_DIR"] = runtime.path
        env["XDG_DATA_HOME"] = home.appending(".local/share")
        return env
    }

    /// Starts a bus; with `keyring`, a gnome-keyring-daemon unlocked with `password`.
    public init(keyring: Bool, password: String = "test-keyring-password") throws {
        home = TemporaryFolder("locket-home")
        runtime = TemporaryFolder("locket-run")
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DBUS_SESSION_BUS_ADDRESS")
        env.removeValue(forKey: "DISPLAY")
        env["HOME"] = home.path
        env["XDG_RUNTIME_DIR"] = runtime.path
        // The forked daemons keep their stdout open, so their output goes to files, not pipes.
        let busInfo = runtime.appending("bus.info")
        let busStatus = try Subprocess.startDaemon(
            "exec /usr/bin/dbus-daemon --session --fork --nopidfile --print-address=1 --print-pid=1 > '\(busInfo)'",
            environment: env)
        let lines = (try? String(contentsOfFile: busInfo, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        guard busStatus == 0, lines.count >= 2, let pid = Int32(lines[1]) else {
            throw BusError.failed("dbus-daemon did not start (status \(busStatus))")
        }
        address = lines[0]
        busPID = pid
        Self.watch(pid)
        if keyring {
            env["DBUS_SESSION_BUS_ADDRESS"] = address
            let keyringInfo = runtime.appending("keyring.info")
            let started = try Subprocess.startDaemon(
                "printf %s \"$KEYRING_PASSWORD\" | /usr/bin/gnome-keyring-daemon --unlock --components=secrets --daemonize > '\(keyringInfo)'",
                environment: env.merging(["KEYRING_PASSWORD": password]) { $1 })
            guard started == 0 else { throw BusError.failed("gnome-keyring-daemon did not start (status \(started))") }
            try waitForSecretService()
            // The daemon does not print its pid when daemonized: ask the bus who owns the name.
            let owner = try Subprocess.run("/usr/bin/gdbus", [
                "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
                "--method", "org.freedesktop.DBus.GetConnectionUnixProcessID", "org.freedesktop.secrets",
            ], environment: environment, timeout: 5)
            // Output looks like "(uint32 12345,)".
            let digits = owner.stdout.split(whereSeparator: { !$0.isNumber }).last { $0 != "32" }
            keyringPID = digits.flatMap { Int32($0) }
            guard let keyringPID else { throw BusError.failed("cannot find the keyring's pid: \(owner.stdout) \(owner.stderr)") }
            Self.watch(keyringPID)
        }
    }

    /// Stops the keyring (if any) and the bus.
    public func stop() {
        if let keyringPID { kill(keyringPID, SIGKILL) }
        kill(busPID, SIGKILL)
    }

    deinit { stop() }

    /// Freezes the keyring daemon (SIGSTOP): it keeps its bus name and answers nothing.
    public func freezeKeyring() { if let keyringPID { kill(keyringPID, SIGSTOP) } }
    /// Lets a frozen keyring run again.
    public func thawKeyring() { if let keyringPID { kill(keyringPID, SIGCONT) } }

    /// Locks the default collection through the Secret Service API.
    public func lockDefaultCollection() throws {
        let result = try Subprocess.run("/usr/bin/gdbus", [
            "call", "--session", "--dest", "org.freedesktop.secrets", "--object-path", "/org/freedesktop/secrets",
            "--method", "org.freedesktop.Secret.Service.Lock", "['/org/freedesktop/secrets/aliases/default']",
        ], environment: environment, timeout: 10)
        guard result.status == 0 else { throw BusError.failed("Lock failed: \(result.stderr)") }
    }

    /// `secret-tool` on this bus; returns its output.
    public func secretTool(_ arguments: [String]) throws -> ProcessOutput {
        try Subprocess.run("/usr/bin/secret-tool", arguments, environment: environment, timeout: 10)
    }

    private func waitForSecretService() throws {
        for _ in 0..<100 {
            let probe = try Subprocess.run("/usr/bin/gdbus", [
                "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
                "--method", "org.freedesktop.DBus.NameHasOwner", "org.freedesktop.secrets",
            ], environment: environment, timeout: 5)
            if probe.stdout.contains("true") { return }
            usleep(50_000)
        }
        throw BusError.failed("org.freedesktop.secrets never appeared on the private bus")
    }

    /// Kills `pid` when this test process goes away, however it goes.
    private static func watch(_ pid: Int32) {
        let me = getpid()
        let script = "while kill -0 \(me) 2>/dev/null && kill -0 \(pid) 2>/dev/null; do sleep 1; done; kill -9 \(pid) 2>/dev/null"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }

    public enum BusError: Error, CustomStringConvertible {
        case failed(String)
        public var description: String { if case .failed(let why) = self { why } else { "" } }
    }
}

/// One keyring for the whole test process, installed as this process's session
/// bus before anything in it talks to D-Bus (GLib caches the session bus per
/// process). Tests that use it pick their own vault ids, so they can run in parallel.
public enum SharedKeyring {
    public static let bus: PrivateBus = {
        let bus = try! PrivateBus(keyring: true)
        unsetenv("DISPLAY")
        setenv("DBUS_SESSION_BUS_ADDRESS", bus.address, 1)
        return bus
    }()
}
