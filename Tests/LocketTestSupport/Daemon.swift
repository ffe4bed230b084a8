import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real `locketd` binary as a test fixture: its own temporary folder with a
/// socket folder and a data folder, the `file` key store (no keyring, no bus),
/// stderr and stdout appended to a log file. `start()` returns once the socket
/// accepts connections and the daemon handles SIGTERM (see `Readiness`);
/// `stop()` sends SIGTERM and returns the exit status;
/// `kill9()` kills it; `start()` again restarts it on the same data folder.
///
/// The child is spawned with `posix_spawn` and every descriptor above 2 closed,
/// so it never holds a pipe or socket of the test process (or of another test
/// running in parallel) open.
public final class Daemon: @unchecked Sendable {
    /// When `start()` considers the daemon up.
    public enum Readiness: Sendable {
        /// The socket accepts connections and the process handles SIGTERM (the
        /// default): fully up, so `stop()` right away tests shutdown, not start-up.
        case serving
        /// A connection to the socket succeeds (signal handling may not be set up yet).
        case accepting
        /// The socket file exists. For a launcher that listens itself and starts
        /// the daemon on the first connection (`systemd-socket-activate`), where
        /// probing by connecting would start it.
        case socketFileExists
    }

    public enum DaemonError: Error, CustomStringConvertible {
        case spawnFailed(Int32)
        case exitedEarly(status: Int32, log: String)
        case notReady(seconds: Double, log: String)
        case didNotStop(seconds: Double)
        case notRunning

        public var description: String {
            switch self {
            case .spawnFailed(let code): "posix_spawn failed: \(String(cString: strerror(code)))"
            case .exitedEarly(let status, let log): "locketd exited (status \(status)) before it was ready; log:\n\(log)"
            case .notReady(let seconds, let log): "locketd was not ready after \(seconds) s; log:\n\(log)"
            case .didNotStop(let seconds): "locketd did not exit within \(seconds) s of SIGTERM (it was killed)"
            case .notRunning: "locketd is not running"
            }
        }
    }

    /// Holds everything of this daemon; removed when the fixture is released.
    public let folder: TemporaryFolder
    /// `--socket`: `<folder>/run/locket.sock` unless given.
    public let socketPath: String
    /// `--data-dir`: `<folder>/data` unless given.
    public let dataDirectory: String
    /// The daemon's stderr and stdout, appended across restarts.
    public let logPath: String
    /// Arguments after the standard ones (`--socket`, `--data-dir`, `--key-store file`).
    public var extraArguments: [String]
    /// The child's environment (see `init`).
    public var environment: [String: String]
    /// A command put before the daemon's (e.g. `systemd-socket-activate -l PATH`).
    public var launcher: [String]
    public var readiness: Readiness

    private let lock = NSLock()
    private var runningPID: Int32?
    private var lastStatus: Int32?

    /// The built `locketd` of this package.
    public static var binary: String { Subprocess.product("locketd") }

    /// A fixture, not started yet. The environment is the test process's minus
    /// anything that could reach a desktop session, systemd or another daemon
    /// (`DBUS_SESSION_BUS_ADDRESS`, `DISPLAY`, `NOTIFY_SOCKET`, `LISTEN_*`,
    /// `LOCKET_SOCKET`, …), with HOME and the XDG folders inside `folder`, then `environment` on top.
    public init(arguments: [String] = [], environment extra: [String: String] = [:], socketPath: String? = nil,
                dataDirectory: String? = nil, launcher: [String] = [], readiness: Readiness = .serving) {
        folder = TemporaryFolder("locketd")
        self.socketPath = socketPath ?? folder.appending("run/locket.sock")
        self.dataDirectory = dataDirectory ?? folder.appending("data")
        logPath = folder.appending("locketd.log")
        extraArguments = arguments
        self.launcher = launcher
        self.readiness = readiness
        var env = ProcessInfo.processInfo.environment
        for name in ["DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS",
                     "LISTEN_FDNAMES", "JOURNAL_STREAM", "LOCKET_SOCKET", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME"] {
            env.removeValue(forKey: name)
        }
        env["HOME"] = folder.path
        env["XDG_RUNTIME_DIR"] = folder.appending("xdg-run")
        env["XDG_DATA_HOME"] = folder.appending("xdg-data")
        env["XDG_CONFIG_HOME"] = folder.appending("xdg-config")
        environment = env.merging(extra) { $1 }
    }

    /// Starts a daemon and waits until it is ready.
    public static func started(arguments: [String] = [], environment: [String: String] = [:]) throws -> Daemon {
        let daemon = Daemon(arguments: arguments, environment: environment)
        try daemon.start()
        return daemon
    }

    deinit {
        if let pid = lock.withLock({ runningPID }) {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    /// The pid while it runs (under a launcher: the launcher's, which the daemon replaces by `exec`).
    public var pid: Int32? { lock.withLock { runningPID } }

    /// The full command line.
    public var commandLine: [String] {
        launcher + [Self.binary, "--socket", socketPath, "--data-dir", dataDirectory, "--key-store", "file"] + extraArguments
    }

    /// Everything the daemon wrote to stderr (and stdout) so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Starts (or restarts, on the same data folder) and waits until `readiness` holds.
    public func start(timeout: Double = 15) throws {
        try spawn()
        try waitUntilReady(timeout: timeout)
    }

    /// Starts the process without waiting for it to be ready.
    public func spawn() throws {
        precondition(pid == nil, "locketd is already running")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // glibc 2.34+ has addclosefrom_np, but Swift does not import it: look it up.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = commandLine.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, commandLine[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw DaemonError.spawnFailed(result) }
        lock.withLock {
            runningPID = child
            lastStatus = nil
        }
    }

    /// Polls until ready, failing early if the process exits.
    public func waitUntilReady(timeout: Double = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = reap() { throw DaemonError.exitedEarly(status: status, log: log) }
            switch readiness {
            case .serving: if LineClient.canConnect(socketPath), handlesSIGTERM { return }
            case .accepting: if LineClient.canConnect(socketPath) { return }
            case .socketFileExists: if FileManager.default.fileExists(atPath: socketPath) { return }
            }
            usleep(10_000)
        }
        throw DaemonError.notReady(seconds: timeout, log: log)
    }

    /// Whether the process catches SIGTERM now (bit 14 of SigCgt in /proc/PID/status).
    public var handlesSIGTERM: Bool {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return mask & (1 << (UInt64(SIGTERM) - 1)) != 0
    }

    /// Polls until the process catches SIGTERM; false at the deadline.
    @discardableResult
    public func waitUntilHandlesSIGTERM(timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if handlesSIGTERM { return true }
            usleep(5_000)
        }
        return handlesSIGTERM
    }

    /// Waits for the process to exit; its status (exit code, or minus the
    /// signal number), or nil if it still runs at the deadline.
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = reap() { return status }
            if pid == nil { return lock.withLock { lastStatus } }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// SIGTERM, then waits for the exit and returns its status. If it does not
    /// exit within `timeout`, it is killed and `.didNotStop` thrown.
    @discardableResult
    public func stop(timeout: Double = 15) throws -> Int32 {
        guard let pid else { throw DaemonError.notRunning }
        kill(pid, SIGTERM)
        if let status = waitForExit(timeout: timeout) { return status }
        kill9()
        throw DaemonError.didNotStop(seconds: timeout)
    }

    /// Sends a signal without waiting.
    public func signal(_ signalNumber: Int32) {
        if let pid { kill(pid, signalNumber) }
    }

    /// SIGKILL and reap; returns the status (-9), or nil if it was not running.
    @discardableResult
    public func kill9() -> Int32? {
        guard let pid else { return nil }
        kill(pid, SIGKILL)
        return waitForExit(timeout: 30)
    }

    /// A new client connection to the socket.
    public func connect(timeout: Double = 10) throws -> LineClient {
        try LineClient(path: socketPath, timeout: timeout)
    }

    /// Collects the exit status if the process has exited (non-blocking).
    private func reap() -> Int32? {
        lock.withLock {
            guard let pid = runningPID else { return nil }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == 0 { return nil }
            let decoded: Int32
            if result == pid {
                // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
                let signalNumber = status & 0x7f
                decoded = signalNumber == 0 ? (status >> 8) & 0xff : -signalNumber
            } else {
                // ECHILD: someone else reaped it; the status is unknown.
                decoded = Int32.min
            }
            runningPID = nil
            lastStatus = decoded
            return decoded
        }
    }
}
