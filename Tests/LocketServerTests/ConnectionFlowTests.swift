// Backpressure and flushing of one connection (protocol v1, "Pipelining",
// architecture "Data flows one way"), on the real connection pipeline: what
// reaches the socket is counted by a probe at the head of the pipeline.
import NIOCore
import Testing
@testable import LocketServer

@Suite("Connection flow")
struct ConnectionFlowTests {
    typealias C = TestConnection

    @Test("maxInFlight requests unanswered: reads stop (read() is not passed on) and resume once an answer is written")
    func inFlightCapStopsReads() throws {
        let connection = try C(maxInFlight: 2)
        try connection.send(C.get(1), C.get(2), C.get(3))
        #expect(connection.serving.served == ["1", "2"], "more than maxInFlight requests started")
        connection.channel.read()
        #expect(connection.probe.reads == 0, "a read passed while the connection was full")
        connection.complete("2")
        #expect(connection.probe.reads == 0, "an answer made but not written freed a slot")
        connection.complete("1")
        // 1 and 2 written: 3 starts, and one slot is left.
        #expect(connection.serving.served == ["1", "2", "3"])
        #expect(connection.probe.reads == 1, "the held read was not passed on once there was room")
        #expect(try connection.answerIDs() == ["1", "2"])
    }

    @Test("a request waiting in the queue holds reads back until it starts")
    func queuedRequestHoldsReads() throws {
        let connection = try C()
        try connection.send(C.put(1), C.get(2))
        connection.channel.read()
        #expect(connection.probe.reads == 0)
        connection.complete("1")
        #expect(connection.serving.served == ["1", "2"])
        #expect(connection.probe.reads == 1)
    }

    @Test("while the socket is not writable (the client does not read), nothing is started and nothing is read")
    func notWritable() throws {
        let connection = try C()
        connection.channel.isWritable = false
        connection.channel.pipeline.fireChannelWritabilityChanged()
        try connection.send(C.get(1), C.ping(2))
        #expect(connection.serving.served == [], "a request started while the client was not reading")
        connection.channel.read()
        #expect(connection.probe.reads == 0, "a read passed while the client was not reading")

        connection.channel.isWritable = true
        connection.channel.pipeline.fireChannelWritabilityChanged()
        #expect(connection.serving.served == ["1", "2"])
        #expect(connection.probe.reads == 1)
        connection.complete("1")
        #expect(try connection.answerIDs() == ["1", "2"])
    }

    @Test("pipelined requests answered in one read burst leave with one flush, at the burst's end")
    func oneFlushPerBurst() throws {
        let connection = try C()
        let lines = (1...5).map { C.ping($0) + "\n" }.joined()
        connection.channel.pipeline.fireChannelRead(ByteBuffer(string: lines))
        #expect(connection.serving.served == ["1", "2", "3", "4", "5"])
        #expect(connection.probe.flushes == 0, "flushed in the middle of a read burst")
        #expect(try connection.answerIDs() == [])
        connection.channel.pipeline.fireChannelReadComplete()
        #expect(connection.probe.flushes == 1)
        #expect(try connection.answerIDs() == ["1", "2", "3", "4", "5"])
    }

    @Test("an answer made off the loop, outside a read burst, is flushed at once")
    func laterAnswerFlushedAtOnce() throws {
        let connection = try C()
        try connection.send(C.get(1))
        let before = connection.probe.flushes
        connection.complete("1")
        #expect(connection.probe.flushes == before + 1)
        #expect(try connection.answerIDs() == ["1"])
    }

    @Test("a full memory budget answers requests unavailable at once instead of serving them; they are served again once it has room")
    func budgetFull() throws {
        let budget = BufferBudget(cap: 1000)
        let connection = try C(budget: budget)
        budget.add(1000)
        try connection.send(C.get(1))
        #expect(connection.serving.served == [])
        let refused = try connection.answers()
        #expect(refused.map(\.code) == ["unavailable"])
        #expect(refused.first?.intID == 1)
        budget.add(-1000)
        try connection.send(C.get(2))
        #expect(connection.serving.served == ["2"])
        #expect(connection.isOpen)
    }

    @Test("answers count against the memory budget from when they are made until they are written")
    func budgetCountsHeldAnswers() throws {
        let budget = BufferBudget(cap: 1 << 20)
        let connection = try C(budget: budget)
        try connection.send(C.get(1), C.get(2))
        #expect(budget.bytes == 0)
        connection.complete("2")
        #expect(budget.bytes == ScriptedServing.answer(id: "2", code: nil).count, "an answer held behind an earlier one is not counted")
        connection.complete("1")
        #expect(budget.bytes == 0, "written answers are still counted")
        #expect(try connection.answerIDs() == ["1", "2"])
    }

    @Test("answers held when the connection goes away are given back to the budget")
    func budgetReleasedOnClose() throws {
        let budget = BufferBudget(cap: 1 << 20)
        let connection = try C(budget: budget)
        try connection.send(C.get(1), C.get(2))
        connection.complete("2")
        #expect(budget.bytes > 0)
        try connection.channel.close().wait()
        connection.channel.embeddedEventLoop.run()  // the pipeline is taken down after the close
        #expect(budget.bytes == 0)
    }
}
