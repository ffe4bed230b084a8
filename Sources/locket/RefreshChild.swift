import CLocketSys
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The refresh COMMAND of `locket refresh`, run so that it cannot outlive the
/// lease it works under: its own process group, `PR_SET_PDEATHSIG` SIGKILL
/// (the kernel kills it if `locket` dies, even by SIGKILL), the group killed
/// on every exit path of `locket` (SIGINT, SIGTERM, SIGHUP included), and killed
/// when the lease's duration runs out (a waiter takes the lease over then).
///
/// Only the direct child gets the parent-death signal: a COMMAND that starts
/// programs of its own should `exec` the last one (as `sh -c 'exec …'` does)
/// or stay in its process group, which `locket` kills on its exit paths.
enum RefreshChild {
    /// How COMMAND ended, and what it printed on stdout.
    struct Outcome {
        enum Status: Equatable {
            case exited(Int32)
            case signalled(Int32)
            /// The lease's deadline passed first: the group was killed.
            case overran
            /// It could not be started (not found, not executable).
            case notStarted(String)
        }

        var status: Status
        var output: [UInt8]
    }

    /// The running child's process group, for the signal handlers (0: none).
    nonisolated(unsafe) private static var group: pid_t = 0

    /// Runs `command` with `input` on its stdin; kills it at `deadline`.
    static func run(_ command: [String], input: [UInt8], deadline: Date) -> Outcome {
        guard let path = resolve(command[0]) else {
            return Outcome(status: .notStarted("\(command[0]): command not found"), output: [])
        }
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else {
            return Outcome(status: .notStarted("pipe: \(String(cString: strerror(errno)))"), output: [])
        }
        // Close-on-exec, so the child gets only the two ends dup2'd to 0 and 1 (no other thread forks here).
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        installSignalHandlers()
        var arguments = command.map { strdup($0) }
        arguments.append(nil)
        let pid = locket_spawn_guarded(path, &arguments, toChild[0], fromChild[1])
        for argument in arguments { free(argument) }
        close(toChild[0])
        close(fromChild[1])
        guard pid > 0 else {
            close(toChild[1])
            close(fromChild[0])
            return Outcome(status: .notStarted("fork: \(String(cString: strerror(errno)))"), output: [])
        }
        group = pid
        defer { killGroup() }
        // stdin on another thread: a COMMAND that writes before it reads must not deadlock with us.
        let writer = toChild[1]
        let fed = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            writeAll(writer, input)
            close(writer)
            fed.signal()
        }
        let (output, inTime) = readAll(fromChild[0], until: deadline)
        close(fromChild[0])
        if !inTime {
            killGroup()
            fed.wait()
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            return Outcome(status: .overran, output: [])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        fed.wait()
        let low = status & 0x7f
        if low == 0 { return Outcome(status: .exited((status >> 8) & 0xff), output: output) }
        return Outcome(status: .signalled(low), output: output)
    }

    /// Kills the child's process group (a no-op when none runs).
    static func killGroup() {
        if group > 0 { kill(-group, SIGKILL) }
    }

    private static func installSignalHandlers() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { number in
                // Only async-signal-safe calls: kill the group, then die of the same signal.
                if RefreshChild.group > 0 { kill(-RefreshChild.group, SIGKILL) }
                signal(number, SIG_DFL)
                raise(number)
            }
        }
        signal(SIGPIPE, SIG_IGN)
    }

    /// Reads until end of file or `deadline`; false when the deadline came first.
    private static func readAll(_ fd: Int32, until deadline: Date) -> ([UInt8], Bool) {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return (output, false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            if ready < 0 { if errno == EINTR { continue }; return (output, true) }
            if ready == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return (output, true) }
            if n == 0 { return (output, true) }
            // Bounded: a COMMAND printing without end is cut off (the value limit is far below).
            if output.count < 4 << 20 { output.append(contentsOf: buffer[0..<n]) }
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    /// `name` as a path: as given when it holds a `/`, else the first executable in `$PATH`.
    static func resolve(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + name
            var info = stat()
            if access(candidate, X_OK) == 0, stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { return candidate }
        }
        return nil
    }
}
