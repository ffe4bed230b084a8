import Foundation

/// The result of a finished child process.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Wall-clock seconds from launch to exit.
    public var seconds: Double
}

/// Runs programs for tests: the package's own binaries and system tools.
public enum Subprocess {
    /// The path of a built executable of this package, e.g. `locket-demo`.
    public static func product(_ name: String) -> String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // The runner may be inside an .xctest bundle folder; walk up to the folder that holds the product.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/\(name)").path
    }

    /// Runs `executable` with `arguments` and `environment` (nil: inherit), feeding `input`,
    /// and waits for it, at most `timeout` seconds (then it is killed and status is -9).
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        input: String? = nil, timeout: Double = 60
    ) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        let started = Date()
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
        let collected = OutputCollector()
        let group = DispatchGroup()
        for (handle, isOut) in [(out.fileHandleForReading, true), (err.fileHandleForReading, false)] {
            group.enter()
            DispatchQueue.global().async {
                let data = handle.readDataToEndOfFile()
                collected.set(data, isOut: isOut)
                group.leave()
            }
        }
        let deadline = DispatchTime.now() + timeout
        if group.wait(timeout: deadline) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            // A grandchild may still hold the pipes open; do not wait for it forever.
            _ = group.wait(timeout: .now() + 5)
        }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
        let (stdout, stderr) = collected.strings
        return ProcessOutput(status: status, stdout: stdout, stderr: stderr, seconds: Date().timeIntervalSince(started))
    }

    /// Runs a shell command that starts a daemon. A forked daemon inherits every
    /// descriptor of its starter, and Foundation's `Process` learns that a child
    /// exited when a socket it handed the child closes: a daemon keeping it open
    /// would make the wait endless. So the shell closes every descriptor above 2
    /// before it runs `command`, and there are no pipes: output goes to files.
    public static func startDaemon(_ command: String, environment: [String: String], timeout: Double = 20) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let closeInherited = #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; "#
        process.arguments = ["-c", closeInherited + command]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return -9
        }
        return process.terminationStatus
    }

    /// Runs a shell command line with `bash -c`.
    @discardableResult
    public static func shell(_ command: String, environment: [String: String]? = nil, timeout: Double = 60) throws -> ProcessOutput {
        try run("/bin/bash", ["-c", command], environment: environment, timeout: timeout)
    }
}

private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()

    func set(_ data: Data, isOut: Bool) {
        lock.lock(); defer { lock.unlock() }
        if isOut { out = data } else { err = data }
    }

    var strings: (String, String) {
        lock.lock(); defer { lock.unlock() }
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
