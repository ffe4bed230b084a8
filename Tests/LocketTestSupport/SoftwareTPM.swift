import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real software TPM 2.0 for tests: `swtpm` serving the TPM command and
/// control channels over TCP on 127.0.0.1 (two free consecutive ports), its
/// state (seeds included: one `SoftwareTPM` is one machine) in its own folder.
/// `stop()` and `start()` again model a TPM that goes away and comes back with
/// the same state; two instances are two different machines' TPMs.
/// `tpm2(...)` runs a tpm2-tools command against it.
public final class SoftwareTPM: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case didNotStart(String)
        public var description: String {
            switch self {
            case .didNotStart(let log): "swtpm did not start; its log:\n\(log)"
            }
        }
    }

    /// Holds the TPM state and swtpm's log.
    public let folder = TemporaryFolder("locket-swtpm")
    public private(set) var port: UInt16 = 0
    private var process: Process?
    private let lock = NSLock()

    /// The TCTI string tpm2-tss uses to reach it.
    public var tcti: String { "swtpm:host=127.0.0.1,port=\(port)" }
    public var logPath: String { folder.appending("swtpm.log") }

    /// Starts a new TPM (new seeds) and waits until it answers.
    public init() throws {
        try FileManager.default.createDirectory(atPath: folder.appending("state"), withIntermediateDirectories: true)
        try start()
    }

    deinit { stop() }

    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Starts swtpm on its state (on the same ports as before when it ran already).
    public func start() throws {
        var lastLog = ""
        for _ in 0..<8 {
            let candidate = port != 0 ? port : Self.freePortPair()
            guard candidate != 0 else { continue }
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/usr/bin/swtpm")
            child.arguments = [
                "socket", "--tpm2", "--tpmstate", "dir=\(folder.appending("state"))",
                "--server", "type=tcp,port=\(candidate),bindaddr=127.0.0.1",
                "--ctrl", "type=tcp,port=\(candidate + 1),bindaddr=127.0.0.1",
                "--flags", "not-need-init,startup-clear", "--log", "file=\(logPath),level=1",
            ]
            child.standardInput = FileHandle.nullDevice
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            let deadline = Date().addingTimeInterval(20)
            // swtpm opens its control port before its command port: wait for both.
            func ready() -> Bool { Self.accepts(port: candidate + 1) && Self.accepts(port: candidate) }
            while child.isRunning, Date() < deadline, !ready() { usleep(20_000) }
            if child.isRunning, ready() {
                lock.withLock { process = child }
                port = candidate
                return
            }
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
            child.waitUntilExit()
            lastLog = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if port != 0 { usleep(200_000) }  // the same ports: wait for them to be free again
        }
        throw Failure.didNotStart(lastLog)
    }

    /// Stops swtpm like a power cut (SIGKILL: the child inherits a blocked SIGTERM
    /// from the test runner's threads) and waits for it to exit. Its seeds are on
    /// disk from the start, so `start()` brings back the same TPM.
    public func stop() {
        guard let child = lock.withLock({ process.take() }) else { return }
        kill(child.processIdentifier, SIGCONT)
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
    }

    /// Stops and restarts swtpm with SIGSTOP/SIGCONT: a TPM that hangs (accepts, never answers).
    public func pause() { if let pid = lock.withLock({ process?.processIdentifier }) { kill(pid, SIGSTOP) } }
    public func resume() { if let pid = lock.withLock({ process?.processIdentifier }) { kill(pid, SIGCONT) } }

    /// Runs `tpm2_<tool> arguments` against this TPM.
    @discardableResult
    public func tpm2(_ tool: String, _ arguments: [String] = []) throws -> ProcessOutput {
        var environment = ProcessInfo.processInfo.environment
        environment["TPM2TOOLS_TCTI"] = tcti
        return try Subprocess.run("/usr/bin/tpm2_\(tool)", arguments, environment: environment, timeout: 30)
    }

    /// The transient object handles loaded in the TPM now (should stay empty between calls).
    public func transientHandles() throws -> [String] {
        try handles("handles-transient")
    }

    /// The loaded session handles now.
    public func sessionHandles() throws -> [String] {
        try handles("handles-loaded-session") + handles("handles-saved-session")
    }

    private func handles(_ capability: String) throws -> [String] {
        let output = try tpm2("getcap", [capability])
        guard output.status == 0 else { throw Failure.didNotStart("tpm2_getcap \(capability): \(output.stderr)") }
        return output.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("- 0x") }
    }

    /// A port P such that P and P+1 are free on 127.0.0.1 now.
    static func freePortPair() -> UInt16 {
        for _ in 0..<20 {
            guard let first = bindable(0), first < 65535, bindable(first + 1) != nil else { continue }
            return first
        }
        return 0
    }

    /// Binds 127.0.0.1:`port` (0: any) and releases it; the port bound, or nil.
    private static func bindable(_ port: UInt16) -> UInt16? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard withUnsafeMutablePointer(to: &address, {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }) == 0 else { return nil }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
