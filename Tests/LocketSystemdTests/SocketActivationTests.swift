// The installed units' own settings, run without a service manager:
// systemd-socket-activate listens where locketd.socket says, starts the
// command of locketd.service's ExecStart= on the first connection and passes
// the socket; READY=1 and STOPPING=1 arrive on a notify socket of the test.
import Foundation
import LocketTestSupport
import Testing

@Suite("socket activation with the unit settings")
struct SocketActivationTests {
    /// `/proc/PID/exe` now (systemd-socket-activate, then locketd once it has exec'd).
    static func executable(_ pid: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }

    @Test("the first connection starts locketd as the units describe it; READY=1, requests, STOPPING=1, exit 0")
    func activatedByFirstConnection() throws {
        let folder = TemporaryFolder("locket-activate")
        let installation = try Installation.make(in: folder.path)
        let socketUnit = try UnitFile(path: installation.socketFile)
        let service = try UnitFile(path: installation.serviceFile)

        // The specifiers a user manager fills in: %t the runtime folder, %h the home.
        let runtime = folder.appending("run")
        #expect(mkdir(runtime, 0o700) == 0)
        func expand(_ text: String) -> String {
            text.replacingOccurrences(of: "%t", with: runtime).replacingOccurrences(of: "%h", with: installation.home)
        }
        let socketPath = expand(try #require(socketUnit.value("Socket", "ListenStream")))
        let socketMode = try #require(socketUnit.value("Socket", "SocketMode").flatMap { Int($0, radix: 8) })
        let directoryMode = try #require(socketUnit.value("Socket", "DirectoryMode").flatMap { Int($0, radix: 8) })
        #expect(mkdir(URL(fileURLWithPath: socketPath).deletingLastPathComponent().path, mode_t(directoryMode)) == 0)

        // ExecStartPre= first (its "+" only means "outside the sandbox"), then ExecStart= under the launcher.
        for line in service.values("Service", "ExecStartPre") {
            var words = unitWords(expand(line))
            if words.first?.hasPrefix("+") == true { words[0].removeFirst() }
            let output = try Subprocess.run(words[0], Array(words.dropFirst()), environment: cleanEnvironment(home: installation.home))
            #expect(output.status == 0, "ExecStartPre=\(line): \(output.stderr)")
        }
        let command = unitWords(expand(try #require(service.value("Service", "ExecStart"))))
        let dataDirectory = "\(installation.home)/.local/share/locket"
        #expect(command.contains(dataDirectory), "ExecStart= passes the data folder")
        #expect(mode(dataDirectory) == 0o700, "ExecStartPre= makes the data folder 0700")

        let notify = try NotifyListener(path: folder.appending("notify"))
        let logPath = folder.appending("locketd.log")
        #expect(FileManager.default.createFile(atPath: logPath, contents: nil))
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let launcher = Process()
        launcher.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        // What a user manager hands a service: HOME, the notify socket (no bus, no XDG folders here).
        launcher.arguments = ["--listen=\(socketPath)", "--setenv=NOTIFY_SOCKET=\(notify.path)",
                              "--setenv=HOME=\(installation.home)", "--setenv=PATH=/usr/bin:/bin"] + command
        launcher.environment = cleanEnvironment(home: installation.home)
        launcher.standardInput = FileHandle.nullDevice
        launcher.standardOutput = log
        launcher.standardError = log
        try launcher.run()
        let pid = launcher.processIdentifier
        defer {
            if launcher.isRunning { kill(pid, SIGKILL) }
            launcher.waitUntilExit()
        }
        func daemonLog() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        // Listening, as systemd would set it up (systemd-socket-activate makes it 0644: apply SocketMode=).
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socketPath), Date() < deadline, launcher.isRunning { usleep(10_000) }
        try #require(FileManager.default.fileExists(atPath: socketPath), "no socket; log:\n\(daemonLog())")
        #expect(chmod(socketPath, mode_t(socketMode)) == 0)
        #expect(mode(socketPath) == 0o600)

        // Not started yet: no locketd image, no vault, no notification.
        #expect(Self.executable(pid)?.hasSuffix("/systemd-socket-activate") == true)
        #expect(notify.receive(timeout: 0.2) == nil)
        #expect(!FileManager.default.fileExists(atPath: "\(dataDirectory)/vault.sqlite"))

        // The first connection starts it (exec in place) and is served.
        let client = try LineClient(path: socketPath, timeout: 20)
        #expect(try client.request(#"{"id":1,"op":"ping"}"#) == #"{"id":1,"ok":true}"#, "log:\n\(daemonLog())")
        let ready = notify.receive(containing: "READY=1", timeout: 10)
        #expect(ready != nil, "no READY=1; log:\n\(daemonLog())")
        #expect(Self.executable(pid) == "\(installation.binDirectory)/locketd")
        let put = try LineClient.object(try client.request(#"{"id":2,"op":"put","ns":"unit","key":"k","value":{"t":"v"}}"#))
        #expect(put["ok"] as? Bool == true)
        #expect(try client.request(#"{"id":3,"op":"get","ns":"unit","key":"k"}"#).contains(#""value":{"t":"v"}"#))
        #expect(FileManager.default.fileExists(atPath: "\(dataDirectory)/vault.sqlite"))
        #expect(daemonLog().contains("listening on the socket systemd passed"))
        client.close()

        // systemctl stop: SIGTERM → STOPPING=1, exit 0 (Result=success).
        kill(pid, SIGTERM)
        #expect(notify.receive(containing: "STOPPING=1", timeout: 10) != nil)
        let stopBy = Date().addingTimeInterval(15)
        while launcher.isRunning, Date() < stopBy { usleep(10_000) }
        #expect(!launcher.isRunning, "locketd did not exit after SIGTERM")
        if !launcher.isRunning {
            #expect(launcher.terminationReason == .exit && launcher.terminationStatus == 0, "log:\n\(daemonLog())")
        }
    }
}
