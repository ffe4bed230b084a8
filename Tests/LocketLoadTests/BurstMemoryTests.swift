// Issue 18, the RSS target: memory a burst of requests made the daemon use goes
// back to the system once it is quiet. The audit writer can work through its
// queue for a second or more after a burst; glibc, left to itself, then kept the
// freed queue resident (its mmap and trim thresholds grow after a large block is
// freed, and `malloc_trim` does not give back the free top of a thread's heap):
// 15–20 MiB of the daemon's own memory stayed after 3 s of pipelined gets.
// The burst is a number of gets, not a time: a rate would be a speed assertion
// in a unit test (the debug daemon answered 9,920–27,440 gets in 3 s here,
// depending on what else the machine ran).
import Foundation
import LocketTestSupport
import Synchronization
import Testing

extension LoadTests {
    @Suite("Memory after a burst")
    struct BurstMemory {
        static let connections = 32
        static let depth = 16
        /// The burst: as many gets as release `locketd` answers in about 0.15 s, debug in 1–2 s.
        static let gets = 20_000
        /// The daemon's own memory (`RssAnon`) it must fall back under once quiet; idle it is ~2.5 MiB.
        static let settledCapKiB = 10 * 1024

        @Test("after 20,000 gets on 32 connections, 16 in flight on each, the daemon's own memory falls back under 10 MiB once quiet")
        func burstMemoryGoesBack() throws {
            let daemon = try Daemon.started(environment: SanitizerEnvironment.withoutQuarantine)
            defer { daemon.kill9() }
            let probe = try daemon.probe
            let setup = try daemon.connect()
            #expect(try setup.answer(#"{"op":"put","ns":"burst","key":"session","value":"\#(String(repeating: "s", count: 200))"}"#)["ok"] as? Bool == true)
            setup.close()

            let answered = Atomic<Int>(0)
            // Each get sent takes one of the burst's; a connection stops sending once they are gone.
            let taken = Atomic<Int>(0)
            let take: @Sendable () -> Bool = { taken.add(1, ordering: .relaxed).newValue <= Self.gets }
            let failures = Mutex<[String]>([])
            let done = DispatchGroup()
            let request = Array(#"{"op":"get","ns":"burst","key":"session"}"#.utf8) + [0x0a]
            for index in 0..<Self.connections {
                let client = try daemon.connect(timeout: 30)
                done.enter()
                let thread = Thread {
                    defer { client.close(); done.leave() }
                    do {
                        var inFlight = 0
                        while inFlight < Self.depth, take() {
                            try client.send(request)
                            inFlight += 1
                        }
                        while inFlight > 0 {
                            let line = try client.readLine(timeout: 30)
                            guard line.hasPrefix(#"{"ok":true"#) else { throw BurstFailure.answer(line.prefix(80).description) }
                            answered.add(1, ordering: .relaxed)
                            if take() { try client.send(request) } else { inFlight -= 1 }
                        }
                    } catch {
                        failures.withLock { $0.append("connection \(index): \(error)") }
                    }
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
            #expect(done.wait(timeout: .now() + 120) == .success)
            #expect(failures.withLock { $0 } == [])
            let gets = answered.load(ordering: .relaxed)
            let busy = probe.kibibytes("RssAnon") ?? 0
            // MemoryTrim checks every 2 s for a second without requests and a caught-up audit writer.
            var settled = busy
            let backDown = eventually(timeout: 30) {
                settled = probe.kibibytes("RssAnon") ?? Int.max
                return settled <= Self.settledCapKiB
            }
            print("load: burst of \(gets) gets on \(Self.connections) connections × \(Self.depth): RssAnon \(busy) KiB right after, \(settled) KiB once quiet")
            #expect(gets == Self.gets, "\(gets) gets answered of the burst's \(Self.gets)")
            #expect(backDown, "the daemon's own memory stayed at \(settled) KiB after the burst (cap \(Self.settledCapKiB) KiB)")
        }
    }
}

private enum BurstFailure: Error {
    case answer(String)
}
