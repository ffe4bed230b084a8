// Issue 13, item 6: a cap on the daemon's total buffered memory (unfinished
// request lines and unwritten answers across all connections). The real
// locketd with --max-buffered-bytes 1 MiB:
// - many connections each holding a short unfinished line (under the 64 KiB
//   shedding threshold) fill it: a new request gets `unavailable` at once
//   (never a stall), and `ok` again once they are gone;
// - connections growing long unfinished lines past the cap are answered
//   `unavailable` and closed, the others are left alone, and the daemon keeps
//   serving.
import Foundation
import LocketTestSupport
import Testing

extension LoadTests {
    @Suite("Buffered memory cap")
    struct BufferCap {
        static let cap = 1 << 20

        /// `count` connections, each sending `bytes` of a line that never ends.
        static func unfinishedLines(_ daemon: Daemon, count: Int, bytes: Int) throws -> [LineClient] {
            let filler = #"{"op":"put","ns":"a","key":"b","value":""# + String(repeating: "x", count: bytes)
            var clients: [LineClient] = []
            for _ in 0..<count {
                let client = try daemon.connect(timeout: 30)
                // A connection shed while it sends fails its send (EPIPE): that is checked by the caller.
                try? client.send(Array(filler.utf8.prefix(bytes)), timeout: 30)
                clients.append(client)
            }
            return clients
        }

        @Test("short unfinished lines filling the cap: a new request is answered unavailable at once, then ok once they close")
        func fullBuffersAnswerUnavailable() throws {
            let daemon = try Daemon.started(arguments: ["--max-buffered-bytes", "\(Self.cap)"])
            defer { daemon.kill9() }
            // 20 × 60 KiB = 1.2 MiB held, each under the shedding threshold.
            let holders = try Self.unfinishedLines(daemon, count: 20, bytes: 60 << 10)
            let probe = try daemon.connect(timeout: 30)
            var refused = false
            let deadline = Date().addingTimeInterval(60)
            // The daemon reads the holders' bytes asynchronously: ask until the buffers show full.
            while !refused && Date() < deadline {
                let answer = try probe.request(#"{"id":1,"op":"ping"}"#)
                if LineClient.errorCode(answer) == "unavailable" {
                    #expect(answer.contains("buffers are full"), "\(answer)")
                    #expect(answer.contains(#""id":1"#), "\(answer)")
                    refused = true
                } else {
                    usleep(50_000)
                }
            }
            #expect(refused, "a ping was never refused while 1.2 MiB of unfinished lines were held (cap 1 MiB)")
            for holder in holders { holder.close() }
            var served = false
            let again = Date().addingTimeInterval(60)
            while !served && Date() < again {
                served = (try? daemon.connect(timeout: 30).request(#"{"op":"ping"}"#).contains(#""ok":true"#)) == true
                if !served { usleep(50_000) }
            }
            #expect(served, "pings were still refused after the holders closed")
            #expect(daemon.pid != nil && kill(daemon.pid!, 0) == 0, "locketd is still running")
        }

        @Test("long unfinished lines past the cap: the growing ones are answered unavailable and closed; others still served")
        func longLinesAreShed() throws {
            let daemon = try Daemon.started(arguments: ["--max-buffered-bytes", "\(Self.cap)"])
            defer { daemon.kill9() }
            // 8 × 400 KiB = 3.2 MiB offered against a 1 MiB cap.
            let clients = try Self.unfinishedLines(daemon, count: 8, bytes: 400 << 10)
            var shed = 0
            var refusals = 0
            for client in clients {
                // A kept connection gets nothing (the read times out). A shed one gets one
                // `unavailable` line and end of file (or a reset, when it was shed mid-send).
                do {
                    let line = try client.readLine(timeout: 5)
                    #expect(LineClient.errorCode(line) == "unavailable", "\(line)")
                    #expect(line.contains("buffers are full"), "\(line)")
                    #expect(client.closes(within: 30), "a shed connection is closed")
                    refusals += 1
                    shed += 1
                } catch LineClient.Failure.timedOut(_) {
                    continue
                } catch {
                    shed += 1
                }
            }
            #expect(refusals >= 1, "no connection read the unavailable line")
            #expect(shed >= 1, "no connection was shed: 3.2 MiB of unfinished lines were buffered under a 1 MiB cap")
            #expect(shed < clients.count, "connections under the cap are left alone")
            let answer = try daemon.connect(timeout: 30).request(#"{"op":"ping"}"#)
            #expect(answer.contains(#""ok":true"#), "\(answer)")
        }
    }
}
