import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Another user (uid/gid 65534, through setpriv) listening where a victim's
/// daemon would: a socat listener that records every byte it receives and
/// answers each line with a forged `ok` answer (a locked passphrase vault, a
/// "forged" value), so a client that trusts it would go on and send more.
/// The tests run as root; they need setpriv and socat (scripts/bootstrap).
public final class Impostor: @unchecked Sendable {
    /// The impostor's uid and gid (nobody/nogroup on Debian).
    public static let uid: UInt32 = 65534

    /// What the impostor answers to every request line.
    public static let forgedAnswer =
        #"{"ok":true,"locked":true,"key_store":"passphrase","entries":0,"uptime_s":1,"version":1,"value":"forged","created":true,"deleted":true,"items":[]}"#

    /// The impostor's own folder (owned by it, 0755): its script and recording.
    public let home: String
    /// Where the listener bound its socket.
    public let listenPath: String
    private let process: Process

    /// Starts the listener on `listenPath` (its folder must let the impostor
    /// create entries; nil: `locket.sock` in the impostor's own 0755 folder,
    /// for a root to move elsewhere) and waits until the socket exists.
    public init(listeningOn path: String? = nil) throws {
        var template = Array("/tmp/locket-impostor-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw ImpostorError("mkdtemp failed")
        }
        home = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        listenPath = path ?? "\(home)/locket.sock"
        chmod(home, 0o755)
        chown(home, Self.uid, Self.uid)
        let script = """
            #!/bin/bash
            # One connection: record everything, answer each line with a forged ok.
            tee -a '\(home)/received' | while IFS= read -r line; do printf '%s\\n' '\(Self.forgedAnswer)'; done

            """
        try Data(script.utf8).write(to: URL(fileURLWithPath: "\(home)/answer.sh"))
        chmod("\(home)/answer.sh", 0o755)
        _ = FileManager.default.createFile(atPath: "\(home)/received", contents: nil)
        chown("\(home)/received", Self.uid, Self.uid)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=\(Self.uid)", "--regid=\(Self.uid)", "--clear-groups", "--",
                             "socat", "UNIX-LISTEN:\(listenPath),fork,mode=0777", "EXEC:\(home)/answer.sh"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Until it accepts (the socket file appears at bind, before listen): a probe sends nothing.
        let deadline = Date().addingTimeInterval(20)
        while !Self.accepts(listenPath) {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw ImpostorError("socat did not start listening on \(listenPath)")
            }
            usleep(20_000)
        }
    }

    /// Every byte any client sent the impostor so far.
    public var received: [UInt8] {
        Array((try? Data(contentsOf: URL(fileURLWithPath: "\(home)/received"))) ?? Data())
    }

    /// Stops the listener (a connection's child ends when its client closes).
    public func stop() {
        if process.isRunning {
            // SIGKILL: a child of the test runner inherits a signal mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: home)
    }

    /// Whether a connection to `path` is accepted (closed at once, with nothing sent).
    static func accepts(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    /// Runs a short shell command as the impostor (e.g. to create a folder in /tmp).
    @discardableResult
    public static func shell(_ command: String) throws -> ProcessOutput {
        try Subprocess.run("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--", "/bin/bash", "-c", command],
                           environment: ["PATH": "/usr/bin:/bin"], timeout: 20)
    }
}

/// An impostor could not be set up.
public struct ImpostorError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
