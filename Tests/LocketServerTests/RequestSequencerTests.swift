// Protocol v1, "Pipelining": program order per connection and the in-flight
// cap, on the plain value that keeps them (no channel, no loop).
import Testing
@testable import LocketServer

@Suite("RequestSequencer")
struct RequestSequencerTests {
    typealias Sequencer = RequestSequencer<String>

    /// Starts every queued request that may start now; returns their lines and tickets.
    static func startAll(_ sequencer: inout Sequencer) -> [(String, Sequencer.Ticket)] {
        var started: [(String, Sequencer.Ticket)] = []
        while case .request(let line, let ordering)? = sequencer.next, sequencer.mayStart(ordering) {
            started.append((line, sequencer.startNext()))
        }
        return started
    }

    static func written(_ sequencer: inout Sequencer) -> [String] {
        var lines: [String] = []
        while let answer = sequencer.popWritable() { lines.append(String(decoding: answer, as: UTF8.self)) }
        return lines
    }

    @Test("answers leave in request order however they are completed")
    func answersInRequestOrder() {
        var sequencer = Sequencer(maxInFlight: 8)
        for name in ["a", "b", "c"] { sequencer.enqueue(name, ordering: .read) }
        let started = Self.startAll(&sequencer)
        #expect(started.map(\.0) == ["a", "b", "c"])
        sequencer.complete(started[2].1, with: Array("c".utf8))
        sequencer.complete(started[1].1, with: Array("b".utf8))
        #expect(Self.written(&sequencer) == [])
        sequencer.complete(started[0].1, with: Array("a".utf8))
        #expect(Self.written(&sequencer) == ["a", "b", "c"])
        #expect(sequencer.isEmpty)
    }

    @Test("reads overlap reads and writes overlap writes; a read waits for earlier writes, a write for earlier reads")
    func readsAndWrites() {
        var sequencer = Sequencer(maxInFlight: 8)
        sequencer.enqueue("w1", ordering: .write)
        sequencer.enqueue("w2", ordering: .write)
        sequencer.enqueue("r3", ordering: .read)
        sequencer.enqueue("r4", ordering: .read)
        sequencer.enqueue("w5", ordering: .write)
        var started = Self.startAll(&sequencer)
        #expect(started.map(\.0) == ["w1", "w2"])
        sequencer.complete(started[0].1, with: [1])
        #expect(Self.startAll(&sequencer).isEmpty, "a read started beside a running write")
        sequencer.complete(started[1].1, with: [2])
        started = Self.startAll(&sequencer)
        #expect(started.map(\.0) == ["r3", "r4"])
        sequencer.complete(started[0].1, with: [3])
        #expect(Self.startAll(&sequencer).isEmpty, "a write started beside a running read")
        sequencer.complete(started[1].1, with: [4])
        #expect(Self.startAll(&sequencer).map(\.0) == ["w5"])
    }

    @Test("an exclusive request waits for everything before it and holds back everything after it")
    func exclusive() {
        var sequencer = Sequencer(maxInFlight: 8)
        sequencer.enqueue("r1", ordering: .read)
        sequencer.enqueue("x2", ordering: .exclusive)
        sequencer.enqueue("r3", ordering: .read)
        let first = Self.startAll(&sequencer)
        #expect(first.map(\.0) == ["r1"])
        sequencer.complete(first[0].1, with: [1])
        let second = Self.startAll(&sequencer)
        #expect(second.map(\.0) == ["x2"])
        #expect(sequencer.running == RunningCounts(reads: 0, writes: 0, exclusive: 1))
        sequencer.complete(second[0].1, with: [2])
        #expect(Self.startAll(&sequencer).map(\.0) == ["r3"])
    }

    @Test("at most maxInFlight answers are unwritten; a slot frees when its answer is written, not when it is made")
    func inFlightCap() {
        var sequencer = Sequencer(maxInFlight: 2)
        for name in ["a", "b", "c"] { sequencer.enqueue(name, ordering: .read) }
        let started = Self.startAll(&sequencer)
        #expect(started.map(\.0) == ["a", "b"])
        #expect(sequencer.next == nil, "a third request has room")
        #expect(!sequencer.wantsInput)
        sequencer.complete(started[1].1, with: [2])
        #expect(sequencer.next == nil, "an answer made but not written freed its slot")
        sequencer.complete(started[0].1, with: [1])
        #expect(Self.written(&sequencer).count == 2)
        #expect(Self.startAll(&sequencer).map(\.0) == ["c"])
        #expect(sequencer.wantsInput)
    }

    @Test("input is wanted only while nothing waits in the queue and there is room")
    func wantsInput() {
        var sequencer = Sequencer(maxInFlight: 4)
        #expect(sequencer.wantsInput)
        sequencer.enqueue("w", ordering: .write)
        #expect(!sequencer.wantsInput)
        let ticket = sequencer.startNext()
        #expect(sequencer.wantsInput)
        sequencer.enqueue("r", ordering: .read)
        #expect(!sequencer.wantsInput, "a read waiting behind a write")
        sequencer.complete(ticket, with: [1])
        _ = Self.written(&sequencer)
        _ = Self.startAll(&sequencer)
        #expect(sequencer.wantsInput)
    }

    @Test("a refused line's answer goes out after everything read before it, and ends the input")
    func finalAnswer() {
        var sequencer = Sequencer(maxInFlight: 4)
        sequencer.enqueue("w1", ordering: .write)
        sequencer.enqueueFinal(answer: Array("refused".utf8))
        sequencer.enqueue("later", ordering: .read)
        #expect(sequencer.queuedCount == 2, "a line was taken after the input ended")
        let started = Self.startAll(&sequencer)
        guard case .answer(let refusal)? = sequencer.next else {
            Issue.record("the refusal is not next")
            return
        }
        // An answer already made needs no turn: it is placed behind the running write.
        sequencer.answerNext(refusal)
        #expect(Self.written(&sequencer) == [])
        sequencer.complete(started[0].1, with: Array("w1".utf8))
        #expect(Self.written(&sequencer) == ["w1", "refused"])
        #expect(sequencer.isFinished)
    }

    @Test("ending the input after a watch drops what waits unstarted; the started ones are still answered")
    func endInputDropping() {
        var sequencer = Sequencer(maxInFlight: 4)
        sequencer.enqueue("watch", ordering: .exclusive)
        sequencer.enqueue("after", ordering: .read)
        let ticket = sequencer.startNext()
        sequencer.endInput(droppingQueued: true)
        #expect(sequencer.queuedCount == 0)
        #expect(!sequencer.isFinished)
        sequencer.complete(ticket, with: [1])
        #expect(Self.written(&sequencer).count == 1)
        #expect(sequencer.isFinished)
    }

    @Test("a ticket answers once: a second answer for it is refused")
    func ticketOnce() {
        var sequencer = Sequencer(maxInFlight: 4)
        sequencer.enqueue("a", ordering: .read)
        let ticket = sequencer.startNext()
        let first = sequencer.complete(ticket, with: [1])
        let second = sequencer.complete(ticket, with: [2])
        #expect(first && !second)
        #expect(sequencer.running == RunningCounts())
        #expect(Self.written(&sequencer) == ["\u{1}"])
        let afterWritten = sequencer.complete(ticket, with: [3])
        #expect(!afterWritten, "an answer for a slot already written was taken")
    }
}
