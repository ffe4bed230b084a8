// Protocol v1, "Connection cap", when the descriptor limit is lower than the
// cap: the daemon lowers its cap to what the limit holds and says so, so a
// client past it gets the `unavailable` line instead of waiting unanswered in
// the listen backlog (an accept that fails with EMFILE leaves it there).
import Foundation
import LocketTestSupport
import Testing

extension LoadTests {
    @Suite("Descriptor limit")
    struct DescriptorLimitTests {
        static let hardLimit = 128

        @Test("under a hard limit of 128 descriptors the cap is lowered with a warning, and the next client gets an unavailable line, not silence")
        func capFollowsTheDescriptorLimit() throws {
            let daemon = Daemon(launcher: ["/usr/bin/prlimit", "--nofile=\(Self.hardLimit):\(Self.hardLimit)", "--"])
            try daemon.start()
            defer { daemon.kill9() }
            let probe = try daemon.probe
            #expect(probe.limit("Max open files").map { $0.soft == "\(Self.hardLimit)" } == true)
            #expect(daemon.log.contains("the cap is lowered"), "no warning about the lowered cap: \(daemon.log)")

            var admitted: [LineClient] = []
            var refusal: [String: Any]?
            var earlyRefusals = 0
            while refusal == nil, admitted.count < Self.hardLimit {
                // A short read deadline: past the descriptor limit there would be no answer at all.
                let client = try daemon.connect(timeout: 5)
                let answer = try LineClient.object(try client.request(#"{"op":"ping"}"#))
                if answer["ok"] as? Bool == true {
                    admitted.append(client)
                } else if admitted.isEmpty, earlyRefusals < 20 {
                    // The readiness probe's connection may not have left its slot yet.
                    earlyRefusals += 1
                    usleep(100_000)
                } else {
                    refusal = answer
                }
            }
            let error = refusal?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "unavailable", "past the lowered cap: \(refusal.map { "\($0)" } ?? "no refusal")")
            #expect((error?["message"] as? String)?.contains("the cap is \(admitted.count)") == true, "\(error ?? [:])")
            #expect(admitted.count >= Self.hardLimit / 2 && admitted.count < Self.hardLimit - 20,
                    "\(admitted.count) connections admitted under a limit of \(Self.hardLimit) descriptors")
            // Those admitted are all still served, and the daemon has room to open its store readers.
            for client in admitted.suffix(5) {
                #expect(try client.answer(#"{"op":"put","ns":"fd","key":"k","value":1}"#)["ok"] as? Bool == true)
                #expect(try client.answer(#"{"op":"get","ns":"fd","key":"k"}"#)["ok"] as? Bool == true)
            }
            print("load: under a descriptor limit of \(Self.hardLimit), locketd admits \(admitted.count) connections and refuses the next with an unavailable line; open descriptors \(probe.openDescriptors ?? -1)")
            admitted.forEach { $0.close() }
            #expect(try daemon.stop() == 0)
        }
    }
}
