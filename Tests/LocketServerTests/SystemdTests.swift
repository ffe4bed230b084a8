// Protocol v1, "Transport": under socket activation the daemon uses the
// inherited socket. locketd tells systemd READY=1 and STOPPING=1 on $NOTIFY_SOCKET.
import Foundation
import LocketTestSupport
import Testing

/// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
final class NotifySocket {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LineClient.Failure.io("socket", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw LineClient.Failure.io("bind \(path)", errno: errno) }
    }

    deinit { close(fd) }

    /// The next datagram, or nil if none arrives within `timeout` seconds.
    func receive(timeout: Double) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return count >= 0 ? String(decoding: bytes[..<count], as: UTF8.self) : nil
    }

    /// Datagrams until one contains `needle` (nil if none does within `timeout`).
    func receive(containing needle: String, timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while let message = receive(timeout: max(0, deadline.timeIntervalSinceNow)) {
            if message.split(separator: "\n").contains(Substring(needle)) { return message }
        }
        return nil
    }
}

@Suite("systemd")
struct SystemdTests {
    /// The program a pid runs now (the target of /proc/PID/exe).
    static func executable(_ pid: Int32?) -> String? {
        guard let pid else { return nil }
        return try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }

    @Test("socket activation: locketd starts on the first connection, serves it on the inherited socket, and notifies READY=1")
    func socketActivation() throws {
        let daemon = Daemon(readiness: .socketFileExists)
        let notify = try NotifySocket(path: daemon.folder.appending("notify.sock"))
        // systemd-socket-activate binds the socket itself; the folder must exist, private.
        let runFolder = URL(fileURLWithPath: daemon.socketPath).deletingLastPathComponent().path
        #expect(mkdir(runFolder, 0o700) == 0)
        daemon.launcher = ["/usr/bin/systemd-socket-activate", "-l", daemon.socketPath, "-E", "NOTIFY_SOCKET=\(notify.path)"]
        try daemon.start()

        // Listening, but locketd has not been started: no process image, no vault, no notification.
        usleep(300_000)
        #expect(Self.executable(daemon.pid)?.hasSuffix("/systemd-socket-activate") == true,
                "before any client: \(Self.executable(daemon.pid) ?? "no process")")
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDirectory + "/vault.sqlite"))
        #expect(notify.receive(timeout: 0.1) == nil)

        // The first connection starts it (exec in place, same pid) and is served.
        let client = try daemon.connect(timeout: 20)
        #expect(try client.ask(#"{"id":1,"op":"put","ns":"act","key":"k","value":{"on":"demand"}}"#).ok)
        #expect(try client.request(#"{"id":2,"op":"get","ns":"act","key":"k"}"#).contains(#""value":{"on":"demand"}"#))
        #expect(Self.executable(daemon.pid)?.hasSuffix("/locketd") == true)
        #expect(daemon.log.contains("listening on the socket systemd passed"))
        let ready = notify.receive(containing: "READY=1", timeout: 5)
        #expect(ready != nil, "no READY=1 datagram")

        // A second connection is served by the same daemon.
        #expect(try daemon.connect().ask(#"{"op":"status"}"#).int("entries") == 1)
        client.close()
        // (READY=1 comes before locketd handles SIGTERM; see ShutdownTests.sigtermRightAfterStartIsClean.)
        #expect(daemon.waitUntilHandlesSIGTERM())
        #expect(try daemon.stop() == 0)
        #expect(notify.receive(containing: "STOPPING=1", timeout: 5) != nil, "no STOPPING=1 datagram")
    }

    @Test("a directly started daemon notifies READY=1 once listening and STOPPING=1 on SIGTERM")
    func notifiesReadyAndStopping() throws {
        let folder = TemporaryFolder("locket-notify")
        let notify = try NotifySocket(path: folder.appending("notify.sock"))
        let daemon = Daemon(environment: ["NOTIFY_SOCKET": notify.path])
        try daemon.start()
        let ready = notify.receive(containing: "READY=1", timeout: 5)
        #expect(ready != nil, "no READY=1 datagram")
        // READY=1 is sent only once the socket accepts: a client connecting now is served.
        #expect(try daemon.connect().pingWorks())
        #expect(notify.receive(timeout: 0.2) == nil, "unexpected extra notification")
        #expect(try daemon.stop() == 0)
        #expect(notify.receive(containing: "STOPPING=1", timeout: 5) != nil, "no STOPPING=1 datagram")
    }
}
