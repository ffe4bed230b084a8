import Foundation
import LocketTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A real `locketd` plus the test token server (Tests/LeaseFixtures/token_server.py)
/// on 127.0.0.1, and workers started as child processes. A worker is a command
/// line (`WorkerKind`), so clients in other languages join the mix by adding one.
final class LeaseFixture: @unchecked Sendable {
    let daemon: Daemon
    let folder: TemporaryFolder
    let tokens: TestTokenServer
    private let server: Process
    static let ns = "app"
    static let key = "alice"

    /// `Tests/LeaseFixtures` of this repository.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("LeaseFixtures").path

    /// python3 on PATH (the token server and the CLI worker need only its standard library).
    static let python: String = {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/python3"
    }()

    init(accessUses: Int, daemonArguments: [String] = []) throws {
        daemon = try Daemon.started(arguments: daemonArguments)
        folder = TemporaryFolder("lease")
        let portFile = folder.appending("port")
        server = Process()
        server.executableURL = URL(fileURLWithPath: Self.python)
        server.arguments = ["\(Self.fixtures)/token_server.py", "--access-uses", "\(accessUses)", "--port-file", portFile]
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: portFile) {
            guard Date() < deadline, server.isRunning else { throw FixtureError("the token server did not start") }
            usleep(20_000)
        }
        let text = try String(contentsOfFile: portFile, encoding: .utf8)
        guard let port = UInt16(text) else { throw FixtureError("the token server wrote no port") }
        tokens = TestTokenServer(port: port)
    }

    deinit {
        // SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM.
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        _ = try? daemon.stop()
    }

    /// The environment of every worker.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["LOCKET"] = Subprocess.product("locket")
        environment["LOCKET_SOCKET"] = daemon.socketPath
        environment["TOKEN_PORT"] = String(tokens.port)
        environment["LEASE_NS"] = Self.ns
        environment["LEASE_KEY"] = Self.key
        return environment
    }

    /// Starts `command` (a worker); its output is collected for `finish`.
    func start(_ command: [String], extraEnvironment: [String: String] = [:]) throws -> Worker {
        try Worker(command, environment: environment.merging(extraEnvironment) { $1 }, folder: folder)
    }

    /// Stores a fresh login as the shared session; returns its version.
    @discardableResult
    func seedSession() throws -> Int {
        let session = try tokens.login()
        let json = String(decoding: try JSONEncoder().encode(session), as: UTF8.self)
        let client = try daemon.connect()
        defer { client.close() }
        let answer = try client.requestJSON(#"{"op":"put","ns":"\#(Self.ns)","key":"\#(Self.key)","value":\#(json)}"#)
        return (answer["version"] as? Int) ?? -1
    }
}

/// The kinds of worker a run can mix: each one is a command line.
enum WorkerKind {
    /// The Swift library: `SessionStore.resume` through the lease.
    case swiftLease
    /// The Swift library the old way: `if_version` only (the control).
    case swiftCAS
    /// Shell-script style: `locket get --json` and `locket refresh -- COMMAND` (Python drives the CLI).
    case cli

    func command(target: Int, fixture: LeaseFixture) -> [String] {
        switch self {
        case .swiftLease, .swiftCAS:
            [Subprocess.product("locket-lease-worker"), "--mode", self == .swiftLease ? "lease" : "cas",
             "--socket", fixture.daemon.socketPath, "--port", String(fixture.tokens.port),
             "--ns", LeaseFixture.ns, "--key", LeaseFixture.key, "--target", String(target)]
        case .cli:
            [LeaseFixture.python, "\(LeaseFixture.fixtures)/lease_worker.py", "cli-worker"]
        }
    }
}

/// One child process, its stdout and stderr going to files in the fixture's folder.
final class Worker: @unchecked Sendable {
    let process = Process()
    let outPath: String
    let errPath: String

    init(_ command: [String], environment: [String: String], folder: TemporaryFolder) throws {
        let name = UUID().uuidString
        outPath = folder.appending("\(name).out")
        errPath = folder.appending("\(name).err")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits up to `timeout` seconds (then kills it); returns the exit status and the last stdout line as JSON.
    func finish(timeout: Double) -> (status: Int32, report: [String: Any], stderr: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let last = out.split(separator: "\n").last.map(String.init) ?? ""
        let report = (try? JSONSerialization.jsonObject(with: Data(last.utf8))) as? [String: Any] ?? [:]
        let status = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
        return (status, report, (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// The pids of this worker's children (from /proc).
    var children: [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0) }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Whether process `pid` is gone (or a zombie): its parent-death signal or a kill reached it.
func processGone(_ pid: Int32, within seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
        usleep(20_000)
    } while Date() < deadline
    return false
}
