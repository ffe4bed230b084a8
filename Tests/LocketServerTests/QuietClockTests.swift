// The two small values the request handler keeps per connection: its quiet
// clock (idle and drain windows) and its read burst (one flush per read).
import NIOCore
import Testing
@testable import LocketServer

@Suite("Quiet clock and read burst")
struct QuietClockTests {
    static func at(_ ms: Int64) -> NIODeadline { .uptimeNanoseconds(UInt64(ms) * 1_000_000) }

    @Test("the idle window: fired early, it waits for the time left; quiet for a whole window, it tells idle and starts the next")
    func idle() {
        var clock = QuietClock(idleTimeout: .milliseconds(1_000), drainQuiet: .milliseconds(100))
        clock.touch(at: Self.at(0))
        clock.touch(at: Self.at(400))
        let r1 = clock.fired(at: Self.at(1_000))
        #expect(r1 == .wait(.milliseconds(400)))
        let r2 = clock.fired(at: Self.at(1_400))
        #expect(r2 == .quiet(.idle, next: .milliseconds(1_000)))
        let r3 = clock.fired(at: Self.at(2_000))
        #expect(r3 == .wait(.milliseconds(400)), "the window restarted when it told")
    }

    @Test("a drain starts its own shorter window at its start, once, and tells drained")
    func drain() {
        var clock = QuietClock(idleTimeout: .milliseconds(1_000), drainQuiet: .milliseconds(100))
        clock.touch(at: Self.at(0))
        let r4 = clock.startDrain(at: Self.at(5_000))
        #expect(r4)
        #expect(clock.window == .milliseconds(100))
        let r5 = clock.startDrain(at: Self.at(5_050))
        #expect(!r5, "a second quiesce event restarted the window")
        let r6 = clock.fired(at: Self.at(5_050))
        #expect(r6 == .wait(.milliseconds(50)))
        let r7 = clock.fired(at: Self.at(5_100))
        #expect(r7 == .quiet(.drained, next: .milliseconds(100)))
    }

    @Test("a read burst holds every flush to its end, once; outside a burst a flush goes at once")
    func burst() {
        var burst = ReadBurst()
        let r8 = burst.shouldFlushNow()
        #expect(r8)
        let r9 = burst.end()
        #expect(!r9, "a flush done at once was counted as held")
        burst.lineRead()
        let r10 = burst.shouldFlushNow()
        #expect(!r10)
        let r11 = burst.shouldFlushNow()
        #expect(!r11)
        let r12 = burst.end()
        #expect(r12)
        let r13 = burst.end()
        #expect(!r13, "the held flush was due twice")
        burst.lineRead()
        let r14 = burst.end()
        #expect(!r14, "a burst with no answer flushed")
    }
}
