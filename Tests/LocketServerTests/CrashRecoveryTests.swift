// Protocol v1, "Guarantees": a put answered ok:true survives kill -9.
// Architecture, "Files"/"Transport": one daemon per socket; a stale socket is reclaimed.
import Foundation
import LocketTestSupport
import Testing

@Suite("Crash recovery")
struct CrashRecoveryTests {
    @Test("every put acknowledged before kill -9 is present after a restart on the same data folder")
    func acknowledgedPutsSurviveKill9() throws {
        let daemon = try Daemon.started()
        let writer = try daemon.connect(timeout: 20)
        let acknowledged = Tally()
        let total = 300, window = 8

        // Kill the daemon from another thread once about 100 puts are acknowledged.
        let killer = Background {
            _ = eventually(timeout: 30) { acknowledged.count("ack") >= 100 }
            daemon.signal(SIGKILL)
        }
        // Pipelined with up to `window` puts in flight, so the kill lands among unanswered writes.
        var sent = 0, answered = 0
        var ackedKeys: [Int] = []
        writing: while answered < total {
            while sent < total, sent - answered < window {
                do {
                    try writer.sendLine(#"{"id":\#(sent),"op":"put","ns":"crash","key":"key-\#(sent)","value":{"n":\#(sent),"pad":"\#(String(repeating: "x", count: sent % 50))"}}"#)
                } catch LineClient.Failure.closed { break writing }
                sent += 1
            }
            let line: String
            do { line = try writer.readLine() } catch LineClient.Failure.closed { break writing }
            let answer = try Answer(line)
            #expect(answer.intID == answered, "answers out of order: \(line)")
            if answer.ok {
                ackedKeys.append(answered)
                acknowledged.add("ack")
            }
            answered += 1
        }
        try killer.join()
        #expect(daemon.waitForExit(timeout: 10) == -SIGKILL)
        #expect(ackedKeys.count >= 100, "only \(ackedKeys.count) puts were acknowledged before the kill")
        #expect(ackedKeys.count < total, "the kill came after every put was answered; nothing was in flight")
        #expect(ackedKeys == Array(0..<ackedKeys.count))

        // The dead daemon's socket file is still there; the restart must reclaim it.
        #expect(FileManager.default.fileExists(atPath: daemon.socketPath))
        try daemon.start()
        let reader = try daemon.connect()
        var missing: [Int] = []
        for n in ackedKeys {
            let get = try reader.request(#"{"op":"get","ns":"crash","key":"key-\#(n)"}"#)
            if !get.contains(#""value":{"n":\#(n),"pad":"\#(String(repeating: "x", count: n % 50))"},"#) { missing.append(n) }
        }
        #expect(missing.isEmpty, "acknowledged puts lost by kill -9: \(missing.prefix(10))")
        #expect(try daemon.stop() == 0)
    }

    @Test("a second daemon on a live socket exits non-zero, says another locketd is running, and creates no vault")
    func secondDaemonRefusesToStart() throws {
        let first = try Daemon.started()
        let second = Daemon(socketPath: first.socketPath)
        try second.spawn()
        let status = second.waitForExit(timeout: 15)
        #expect(status != nil && status != 0, "second daemon status \(String(describing: status))")
        #expect(second.log.contains("another locketd is running"), "second daemon log: \(second.log)")
        #expect(!FileManager.default.fileExists(atPath: second.dataDirectory + "/vault.sqlite"))
        let created = (try? FileManager.default.contentsOfDirectory(atPath: second.dataDirectory)) ?? []
        #expect(created.isEmpty, "the refused daemon created \(created) in its data folder")
        // The first one is untouched and still owns its socket.
        #expect(FileManager.default.fileExists(atPath: first.socketPath))
        #expect(try first.connect().pingWorks())
        #expect(try first.stop() == 0)
    }

    @Test("the socket file left by a killed daemon is reclaimed by the next one")
    func staleSocketIsReclaimed() throws {
        let first = try Daemon.started()
        #expect(first.kill9() == -SIGKILL)
        #expect(FileManager.default.fileExists(atPath: first.socketPath), "kill -9 cannot remove the socket file")
        #expect(!LineClient.canConnect(first.socketPath))

        let second = Daemon(socketPath: first.socketPath)
        try second.start()
        let client = try second.connect()
        #expect(try client.ask(#"{"op":"put","ns":"stale","key":"k","value":"new owner"}"#).ok)
        #expect(try client.request(#"{"op":"get","ns":"stale","key":"k"}"#).contains(#""value":"new owner""#))
        #expect(FileManager.default.fileExists(atPath: second.dataDirectory + "/vault.sqlite"))
        #expect(try second.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: first.socketPath), "a clean stop removes the socket file")
    }
}
