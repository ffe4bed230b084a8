import Glibc

/// The harness's own `locketd`: a socket and data folder under the run's
/// folder, the file key store, and `NOTIFY_SOCKET` pointing at a datagram
/// socket the harness listens on, so start-up is timed to `READY=1`.
final class BenchDaemon {
    let binary: String
    let socketPath: String
    let dataDirectory: String
    let logPath: String
    private let notifyPath: String
    private let notifyFD: Int32
    private let environment: [String: String]
    private(set) var pid: pid_t?

    init(binary: String, folder: String) {
        self.binary = binary
        socketPath = folder + "/d.sock"
        dataDirectory = folder + "/data"
        logPath = folder + "/locketd.log"
        notifyPath = folder + "/notify.sock"
        unlink(notifyPath)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        notifyFD = fd
        let bound = withUnixAddress(folder + "/notify.sock", { bind(fd, $0, $1) })
        if bound != 0 { fatal("cannot bind the notify socket") }
        mkdir(folder + "/home", 0o700)
        environment = [
            "HOME": folder + "/home", "XDG_RUNTIME_DIR": folder + "/home", "NOTIFY_SOCKET": notifyPath,
            "DBUS_SESSION_BUS_ADDRESS": "disabled:", "LOCKET_SOCKET": socketPath,
        ]
    }

    /// Starts locketd; returns the ns from spawn to `READY=1` on the notify socket.
    @discardableResult
    func start() -> UInt64 {
        precondition(pid == nil)
        drainNotifications()
        let begin = now()
        pid = Spawn.start([binary, "--socket", socketPath, "--data-dir", dataDirectory, "--key-store", "file",
                           "--log-level", "warning"], output: logPath, environment: environment)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var pfd = pollfd(fd: notifyFD, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 20_000) <= 0 {
                if let pid { kill(pid, SIGKILL) }
                fatal("locketd sent no READY=1 in 20 s; see \(logPath)")
            }
            let count = buffer.withUnsafeMutableBytes { recv(notifyFD, $0.baseAddress!, $0.count, 0) }
            if count > 0, String(decoding: buffer[0..<count], as: UTF8.self).contains("READY=1") {
                let elapsed = now() - begin
                // READY comes after the socket listens; check it answers.
                if !LineSocket.canConnect(socketPath) { fatal("locketd is READY but its socket refuses") }
                return elapsed
            }
        }
    }

    /// SIGTERM, then waits; the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let pid else { return 0 }
        kill(pid, SIGTERM)
        self.pid = nil
        return Spawn.wait(pid)
    }

    private func drainNotifications() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while recv(notifyFD, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 {}
    }

    deinit {
        if let pid { kill(pid, SIGKILL); Spawn.wait(pid) }
        close(notifyFD)
    }
}
