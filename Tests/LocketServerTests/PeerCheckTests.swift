// Protocol v1, "Transport": only the daemon's own uid is served. Two layers:
// the 0700 socket folder (the kernel refuses others), and the SO_PEERCRED
// check (one `forbidden` line, then the connection is closed).
// Tests run as root; the other user is uid/gid 65534 through setpriv.
import Foundation
import LocketTestSupport
import Testing

@Suite("Peer check")
struct PeerCheckTests {
    /// Runs `script` (bash) with socat as uid/gid 65534; `$SOCK` is the socket path.
    static func asOtherUser(_ script: String, socket: String) throws -> ProcessOutput {
        let socat = "setpriv --reuid=65534 --regid=65534 --clear-groups socat"
        return try Subprocess.run("/bin/bash", ["-c", script.replacingOccurrences(of: "SOCAT", with: socat)],
                                  environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "SOCK": socket], timeout: 20)
    }

    /// Bash: closes every descriptor above 2 of the current (sub)shell.
    static let closeInherited = #"for fd in /proc/$BASHPID/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null;"#

    @Test("another uid is refused by the kernel while the socket folder is 0700")
    func anotherUidIsRefusedByTheFolderMode() throws {
        let daemon = try Daemon.started()
        let result = try Self.asOtherUser(#"printf '%s\n' '{"op":"ping"}' | SOCAT -t2 - "UNIX-CONNECT:$SOCK""#,
                                          socket: daemon.socketPath)
        #expect(result.status != 0)
        #expect(result.stderr.contains("Permission denied"), "socat stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty, "the other user received: \(result.stdout)")
        // The daemon never saw the connection: the kernel stopped it first.
        #expect(!daemon.log.contains("refused a connection"))
        #expect(try daemon.connect().pingWorks())
        #expect(try daemon.stop() == 0)
    }

    @Test("another uid that reaches the socket gets exactly one forbidden line and is disconnected")
    func anotherUidGetsOneForbiddenLine() throws {
        let daemon = try Daemon.started()
        // The daemon chmods its socket 0600 right after binding, i.e. possibly after the
        // fixture's probe got in: wait for "listening", logged after that.
        #expect(eventually(timeout: 5) { daemon.log.contains("listening") })
        // Open the way (as root): traversable folders, a world-writable socket.
        let runFolder = URL(fileURLWithPath: daemon.socketPath).deletingLastPathComponent().path
        #expect(chmod(daemon.folder.path, 0o711) == 0)
        #expect(chmod(runFolder, 0o711) == 0)
        #expect(chmod(daemon.socketPath, 0o666) == 0)

        // The request is fed after a pause (a write racing the daemon's close would make
        // socat stop on EPIPE before printing), and stdin stays open for 4 s more: socat
        // only ends sooner if the daemon closes the connection. (A process substitution,
        // not a pipe, so bash does not wait for the sleeping feeder; it also closes what it
        // inherited beyond stdout, so the test's wait for socat does not last as long as the feeder.)
        let result = try Self.asOtherUser(
            #"SOCAT -t0.5 - "UNIX-CONNECT:$SOCK" < <(exec 2>/dev/null; \#(Self.closeInherited) sleep 0.3; printf '%s\n' '{"id":1,"op":"ping"}'; sleep 4)"#,
            socket: daemon.socketPath)
        let elapsed = result.seconds
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 1, "expected one line, got: \(result.stdout) (stderr: \(result.stderr))")
        if let line = lines.first {
            let answer = try Answer(line)
            #expect(!answer.ok)
            #expect(answer.code == "forbidden", "\(line)")
            #expect(answer.id == nil, "no request of the other user is read, so no id is echoed: \(line)")
        }
        #expect(elapsed < 3.5, "socat ran \(elapsed) s: the daemon did not close the connection")
        #expect(daemon.log.contains("refused a connection from another user"))
        #expect(daemon.log.contains("peer_uid=65534"))

        // The owner is still served, on new and on existing connections.
        let owner = try daemon.connect()
        #expect(try owner.ask(#"{"op":"put","ns":"p","key":"k","value":"still here"}"#).ok)
        #expect(try owner.request(#"{"op":"get","ns":"p","key":"k"}"#).contains(#""value":"still here""#))
        #expect(try daemon.stop() == 0)
    }
}
