// Architecture, "Data flows one way", and RequestHandler's backpressure: at
// most 16 requests of a connection in flight, and no reading from it while its
// answers are not being read. A client that pipelines 100,000 requests of 4 KiB
// and never reads cannot make the daemon buffer them: its writes stall after a
// few hundred KiB, the daemon's resident memory stays bounded, other clients are
// served meanwhile, and when it finally reads it gets every answer, in order.
import Foundation
import LocketTestSupport
import Testing

extension LoadTests {
    @Suite("Non-reading client")
    struct NonReadingClient {
        static let requests = 100_000
        static let valueBytes = 4096
        /// The client counts as stalled when no request got through for this long.
        static let stallSeconds = 2.0

        @Test("100,000 pipelined 4 KiB puts and gets never read: writes stall, VmRSS stays bounded, others are served, then every answer comes in order")
        func backpressureBoundsMemory() throws {
            let daemon = try Daemon.started(environment: SanitizerEnvironment.withoutQuarantine)
            defer { daemon.kill9() }
            let probe = try daemon.probe
            try daemon.warmUp()
            _ = probe.waitForSteadyDescriptors()
            let rssBefore = try #require(probe.kibibytes("VmRSS"))
            let sampler = MemorySampler(pid: probe.pid)

            let greedy = try daemon.connect(timeout: 60)
            let progress = WriterProgress()
            let value = String(repeating: "v", count: Self.valueBytes)
            let writer = Thread {
                // Even ids put a 4 KiB value, odd ids get it back: both directions carry 4 KiB.
                for id in 0..<Self.requests where !progress.mustStop {
                    let line = id % 2 == 0
                        ? #"{"id":\#(id),"op":"put","ns":"greedy","key":"k\#(id % 16)","value":"\#(value)"}"#
                        : #"{"id":\#(id),"op":"get","ns":"greedy","key":"k\#((id - 1) % 16)"}"#
                    let bytes = Array(line.utf8) + [0x0a]
                    do {
                        try greedy.send(bytes, timeout: 60)
                    } catch {
                        progress.fail("request \(id): \(error)")
                        break
                    }
                    progress.sent(bytes.count)
                }
                greedy.shutdownWrite()
                progress.finish()
            }
            writer.stackSize = 1 << 20
            writer.start()

            // Wait until no request has got through for a while: the daemon stopped reading.
            let deadline = Date().addingTimeInterval(40)
            var last = (requests: -1, since: Date())
            while Date() < deadline, !progress.finished {
                let now = progress.requests
                if now != last.requests {
                    last = (now, Date())
                } else if Date().timeIntervalSince(last.since) >= Self.stallSeconds {
                    break
                }
                usleep(100_000)
            }
            let stalledAt = progress.requests, stalledBytes = progress.bytes
            try #require(!progress.finished, "all \(Self.requests) requests were taken without the client reading an answer: no backpressure")
            try #require(Date() < deadline, "the non-reading client's writes never stalled (\(stalledAt) requests sent)")
            #expect(stalledBytes < 8 << 20, "\(stalledBytes) bytes were taken from a client that reads nothing")

            // Meanwhile another client is served, promptly.
            let other = try daemon.connect()
            #expect(try other.answer(#"{"op":"put","ns":"other","key":"k","value":"\#(value)"}"#)["ok"] as? Bool == true)
            #expect((try other.answer(#"{"op":"get","ns":"other","key":"k"}"#)["value"] as? String)?.count == Self.valueBytes)
            let roundTrip = Timing.fastest(under: 1) {
                let start = Date()
                _ = other.answersPing
                return Date().timeIntervalSince(start)
            }
            #expect(roundTrip < 1, "a ping of another client took \(roundTrip) s at best while one client did not read")
            let rssStalled = probe.kibibytes("VmRSS") ?? 0

            // Now it reads: every request it sent is answered, in order, and the daemon
            // then closes (the writer half-closed after its current request).
            progress.stop()
            var answered = 0
            var firstProblem: String?
            while true {
                let line: String
                do { line = try greedy.readLine(timeout: 30) } catch LineClient.Failure.closed { break }
                let answer = try LineClient.object(line)
                let id = (answer["id"] as? NSNumber)?.intValue
                let okay = answer["ok"] as? Bool == true
                    && id == answered
                    && (answered % 2 == 0 || (answer["value"] as? String)?.count == Self.valueBytes)
                if !okay, firstProblem == nil { firstProblem = "answer \(answered): \(line.prefix(200))" }
                answered += 1
            }
            #expect(eventually(timeout: 30) { progress.finished })
            #expect(progress.failure == nil, "\(progress.failure ?? "")")
            #expect(firstProblem == nil, "\(firstProblem ?? "")")
            #expect(answered == progress.requests, "\(answered) answers to \(progress.requests) requests")

            let peak = sampler.stop()
            let hwm = probe.kibibytes("VmHWM") ?? 0
            #expect(peak.kibibytes - rssBefore < 32 << 10,
                    "locketd's VmRSS grew from \(rssBefore) KiB to \(peak.kibibytes) KiB with one client not reading")
            #expect(try other.answer(#"{"op":"get","ns":"greedy","key":"k0"}"#)["ok"] as? Bool == true)
            print("load: a client that did not read stalled after \(stalledAt) of \(Self.requests) requests (\(stalledBytes / 1024) KiB of ~\(Self.requests * (Self.valueBytes + 60) / 1_048_576) MiB); locketd VmRSS \(rssBefore) KiB before, \(rssStalled) KiB stalled, peak \(peak.kibibytes) KiB (\(peak.samples) samples, VmHWM \(hwm) KiB); \(answered) answers in order once it read")
            #expect(try daemon.stop() == 0)
        }
    }
}

/// What the writer thread of the non-reading client got through, and its stop flag.
final class WriterProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var total = 0
    private var stopping = false
    private var done = false
    private var problem: String?

    func sent(_ bytes: Int) { lock.withLock { count += 1; total += bytes } }
    func stop() { lock.withLock { stopping = true } }
    func finish() { lock.withLock { done = true } }
    func fail(_ text: String) { lock.withLock { problem = text } }

    /// Requests sent whole.
    var requests: Int { lock.withLock { count } }
    var bytes: Int { lock.withLock { total } }
    var mustStop: Bool { lock.withLock { stopping } }
    var finished: Bool { lock.withLock { done } }
    var failure: String? { lock.withLock { problem } }
}
