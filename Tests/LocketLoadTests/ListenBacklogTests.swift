// Issue 13, item 6: the listen backlog is the system's maximum (somaxconn),
// so 1,000 clients connecting at once with non-blocking sockets all get in
// (none gets EAGAIN) even while the daemon accepts none of them: it is
// stopped (SIGSTOP) during the burst, so the queue alone must hold them.
import Foundation
import LocketTestSupport
import Testing

extension LoadTests {
    @Suite("Listen backlog")
    struct ListenBacklog {
        static let clients = 1000

        @Test("1,000 simultaneous non-blocking connects all get through (none EAGAIN), then each is served")
        func thousandNonBlockingConnects() throws {
            let own = TestProcess.raiseDescriptorLimit(toAtLeast: 1500)
            try #require(own.soft >= 1500, "the test process may open only \(own.soft) descriptors")
            let somaxconn = Int((try? String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            try #require(somaxconn >= Self.clients, "net.core.somaxconn is \(somaxconn): the system cannot queue \(Self.clients)")
            let daemon = try Daemon.started()
            defer { daemon.kill9() }
            let pid = try #require(daemon.pid)

            // While it is stopped the daemon accepts nothing: only the listen queue holds connections.
            try #require(kill(pid, SIGSTOP) == 0)
            let (descriptors, refused) = Self.connectAll(daemon.socketPath)
            kill(pid, SIGCONT)
            defer { for fd in descriptors { close(fd) } }
            #expect(refused.isEmpty, "connects refused: \(refused)")
            #expect(descriptors.count == Self.clients)

            // Each queued connection is then accepted and answers a ping.
            var answered = 0
            for fd in descriptors {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
                var time = timeval(tv_sec: 60, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
                let request = Array(#"{"op":"ping"}"#.utf8) + [0x0a]
                guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { continue }
                var answer: [UInt8] = []
                var byte: UInt8 = 0
                while recv(fd, &byte, 1, 0) == 1, byte != 0x0a { answer.append(byte) }
                if String(decoding: answer, as: UTF8.self).contains(#""ok":true"#) { answered += 1 }
            }
            #expect(answered == descriptors.count, "\(answered) of \(descriptors.count) queued connections were served")
        }

        @Test("socket activation: the socket systemd passes keeps its full backlog once locketd adopts it")
        func inheritedSocketKeepsItsBacklog() throws {
            let own = TestProcess.raiseDescriptorLimit(toAtLeast: 1500)
            try #require(own.soft >= 1500, "the test process may open only \(own.soft) descriptors")
            let folder = TemporaryFolder("locket-backlog")
            let run = folder.appending("run"), data = folder.appending("data")
            #expect(mkdir(run, 0o700) == 0 && mkdir(data, 0o700) == 0)
            let socketPath = run + "/locket.sock"
            // systemd-socket-activate listens (SOMAXCONN), then execs locketd with the socket as fd 3.
            let launcher = Process()
            launcher.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
            launcher.arguments = ["--listen=\(socketPath)", Daemon.binary, "--data-dir", data, "--key-store", "file", "--log-level", "warning"]
            launcher.standardOutput = FileHandle.nullDevice
            launcher.standardError = FileHandle.nullDevice
            try launcher.run()
            let pid = launcher.processIdentifier
            defer {
                kill(pid, SIGCONT)
                kill(pid, SIGKILL)
                launcher.waitUntilExit()
            }
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: socketPath), Date() < deadline { usleep(10_000) }
            // The first connection starts locketd, which adopts the socket.
            let client = try LineClient(path: socketPath, timeout: 20)
            #expect(try client.request(#"{"id":1,"op":"ping"}"#) == #"{"id":1,"ok":true}"#)
            client.close()

            try #require(kill(pid, SIGSTOP) == 0)
            let (descriptors, refused) = Self.connectAll(socketPath)
            kill(pid, SIGCONT)
            for fd in descriptors { close(fd) }
            // With NIO's listen(128) left in place, 871 of them got EAGAIN (129 queued).
            #expect(refused.isEmpty, "connects refused: \(refused)")
            #expect(descriptors.count == Self.clients)
        }

        /// `clients` non-blocking connects to `path`: the connected descriptors, and why the others failed.
        static func connectAll(_ path: String) -> (descriptors: [Int32], refused: [String: Int]) {
            var descriptors: [Int32] = []
            var refused: [String: Int] = [:]
            for _ in 0..<clients {
                let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else { refused["socket()", default: 0] += 1; continue }
                if connect(fd, path) == 0 {
                    descriptors.append(fd)
                } else {
                    refused[String(cString: strerror(errno)), default: 0] += 1
                    close(fd)
                }
            }
            return (descriptors, refused)
        }

        static func connect(_ fd: Int32, _ path: String) -> Int32 {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
    }
}
