// Protocol v1, "Guarantees" and "Versions": operations on one ns/key are
// linearizable across connections; compare-and-swap with if_version.
import Foundation
import LocketTestSupport
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    // Sizing: 50 connections (one thread each) × 100 compare-and-swap attempts.
    // 200 × 100 would take minutes on 2 cores; 50 × 100 keeps the contention
    // (every attempt races 49 others on one key) at 5,000 attempts.
    static let connections = 50
    static let attemptsPerConnection = 100

    @Test("compare-and-swap on one key from 50 connections: final version = 1 + successful puts, and the value matches it")
    func casIsLinearizable() throws {
        let daemon = try Daemon.started()
        let setup = try daemon.connect()
        // Each successful put writes value = its new version, so a lost or duplicated update shows in the value too.
        #expect(try setup.ask(#"{"op":"put","ns":"cas","key":"counter","value":1,"if_version":0}"#).int("version") == 1)

        let tally = Tally()
        onThreads(Self.connections, tally: tally, timeout: 120) { index in
            let client = try daemon.connect(timeout: 30)
            for _ in 0..<Self.attemptsPerConnection {
                let read = try client.ask(#"{"op":"get","ns":"cas","key":"counter"}"#)
                guard read.ok, let version = read.int("version"), read.int("value") == version else {
                    tally.problem("connection \(index): torn or failed read: \(read.line)")
                    return
                }
                let put = try client.ask(#"{"op":"put","ns":"cas","key":"counter","value":\#(version + 1),"if_version":\#(version)}"#)
                if put.ok {
                    if put.int("version") != version + 1 { tally.problem("connection \(index): put answered \(put.line) for if_version \(version)") }
                    tally.add("success")
                } else if put.code == "conflict" {
                    tally.add("conflict")
                } else {
                    tally.problem("connection \(index): \(put.line)")
                }
            }
        }
        #expect(tally.allProblems.isEmpty, "\(tally.allProblems.prefix(5))")
        let successes = tally.count("success"), conflicts = tally.count("conflict")
        #expect(successes + conflicts == Self.connections * Self.attemptsPerConnection)
        #expect(successes >= 1)
        let final = try setup.ask(#"{"op":"get","ns":"cas","key":"counter"}"#)
        #expect(final.int("version") == 1 + successes, "\(final.line) after \(successes) successful puts")
        #expect(final.int("value") == 1 + successes)
        #expect(try daemon.stop() == 0)
    }

    @Test("each connection sees its own writes: put, get, delete sequences on its own keys, concurrently")
    func eachConnectionSeesItsOwnWrites() throws {
        let daemon = try Daemon.started()
        let tally = Tally()
        onThreads(Self.connections, tally: tally, timeout: 120) { index in
            let client = try daemon.connect(timeout: 30)
            var version = 0   // of this connection's key; 0 = absent
            for step in 0..<20 {
                let put = try client.ask(#"{"op":"put","ns":"own","key":"conn-\#(index)","value":{"c":\#(index),"s":\#(step)}}"#)
                version += 1
                if !put.ok || put.int("version") != version || put.bool("created") != (version == 1) {
                    tally.problem("connection \(index) step \(step): put \(put.line), expected version \(version)")
                }
                let get = try client.request(#"{"op":"get","ns":"own","key":"conn-\#(index)"}"#)
                if !get.contains(#""value":{"c":\#(index),"s":\#(step)},"version":\#(version),"#) {
                    tally.problem("connection \(index) step \(step): get \(get)")
                }
                if step % 5 == 4 {
                    let delete = try client.ask(#"{"op":"delete","ns":"own","key":"conn-\#(index)","if_version":\#(version)}"#)
                    if delete.bool("deleted") != true { tally.problem("connection \(index) step \(step): delete \(delete.line)") }
                    let gone = try client.ask(#"{"op":"get","ns":"own","key":"conn-\#(index)"}"#)
                    if gone.code != "not_found" { tally.problem("connection \(index) step \(step): get after delete \(gone.line)") }
                    version = 0
                }
            }
            tally.add("done")
        }
        #expect(tally.allProblems.isEmpty, "\(tally.allProblems.prefix(5))")
        #expect(tally.count("done") == Self.connections)
        // 20 steps end with a delete (step 19), so every key is absent at the end.
        let status = try daemon.connect().ask(#"{"op":"status"}"#)
        #expect(status.int("entries") == 0, "\(status.line)")
        #expect(try daemon.stop() == 0)
    }
}
