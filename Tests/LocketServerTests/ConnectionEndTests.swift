// How one connection ends (protocol v1, "Framing", "Limits", "Shutdown"), on
// the real connection pipeline: a refused line, half-close, a drain, the idle
// timeout. Time moves only when the test advances the loop's clock.
import NIOCore
import Testing
@testable import LocketServer

@Suite("Connection end")
struct ConnectionEndTests {
    typealias C = TestConnection

    @Test("an over-long line gets one too_large answer after everything before it, then the connection closes")
    func overLongLine() throws {
        let connection = try C(maxLineBytes: 64)
        let long = #"{"id":2,"op":"get","ns":"a","key":""# + String(repeating: "k", count: 100) + #""}"#
        try connection.send(C.get(1), long, C.get(3))
        #expect(connection.serving.served == ["1"], "a line after the over-long one was served")
        #expect(try connection.answers().isEmpty)
        #expect(connection.isOpen, "closed before the earlier request was answered")
        connection.complete("1")
        let answers = try connection.answers()
        #expect(answers.map(\.code) == [nil, "too_large"])
        #expect(answers.last?.id == nil)
        #expect(!connection.isOpen)
    }

    @Test("an over-long line without a newline is refused as soon as it passes the limit")
    func overLongUnfinished() throws {
        let connection = try C(maxLineBytes: 64)
        try connection.sendBytes(String(repeating: "a", count: 100))
        #expect(try connection.answers().map(\.code) == ["too_large"])
        #expect(!connection.isOpen)
    }

    @Test("a long unfinished line while the daemon's buffers are full gets unavailable, then the connection closes")
    func overBudgetLine() throws {
        let budget = BufferBudget(cap: 100, sheddingThreshold: 16)
        let connection = try C(budget: budget)
        budget.add(100)
        try connection.sendBytes(#"{"id":1,"op":"put","ns":"a","key":"k","value":""#)
        let answers = try connection.answers()
        #expect(answers.map(\.code) == ["unavailable"])
        #expect(answers.first?.id == nil)
        #expect(!connection.isOpen)
        budget.add(-100)
        #expect(budget.bytes == 0, "the shed line is still counted")
    }

    @Test("half-close: every request read is answered, then the connection closes, not before")
    func halfClose() throws {
        let connection = try C()
        try connection.send(C.get(1), C.put(2))
        connection.halfClose()
        #expect(connection.isOpen, "closed with requests unanswered")
        connection.channel.read()
        #expect(connection.probe.reads == 0, "a read was passed on after the client's end of input")
        connection.complete("1")
        connection.complete("2")
        #expect(try connection.answerIDs() == ["1", "2"])
        #expect(!connection.isOpen)
    }

    @Test("half-close with nothing in flight closes at once")
    func halfCloseIdle() throws {
        let connection = try C()
        connection.halfClose()
        #expect(!connection.isOpen)
    }

    @Test("quiesce: requests in flight are answered, the client may still send (answered unavailable), and it closes after 100 ms quiet")
    func drain() throws {
        let connection = try C()
        try connection.send(C.get(1))
        connection.serving.isShuttingDown = true
        connection.quiesce()
        connection.advance(.seconds(1))
        #expect(connection.isOpen, "closed with a request in flight")
        connection.complete("1")
        #expect(try connection.answerIDs() == ["1"])
        connection.advance(.milliseconds(60))
        try connection.send(C.get(2))
        #expect(try connection.answers().map(\.code) == ["unavailable"])
        connection.advance(.milliseconds(60))
        #expect(connection.isOpen, "closed 60 ms after the client last sent")
        connection.advance(.milliseconds(40))
        #expect(!connection.isOpen, "still open after 100 ms quiet while draining")
    }

    @Test("a connection accepted while the daemon stops drains from the start")
    func acceptedWhileStopping() throws {
        let serving = ScriptedServing()
        serving.isShuttingDown = true
        let connection = try C(serving: serving)
        connection.advance(.milliseconds(50))
        try connection.send(C.get(1))
        #expect(try connection.answers().map(\.code) == ["unavailable"])
        connection.advance(.milliseconds(99))
        #expect(connection.isOpen)
        connection.advance(.milliseconds(1))
        #expect(!connection.isOpen)
    }

    @Test("quiesce after a long quiet: the quiet window starts at the drain, not at the last request")
    func drainWindowStartsAtDrain() throws {
        let connection = try C(idleTimeout: .seconds(60))
        connection.advance(.seconds(50))
        connection.quiesce()
        connection.advance(.milliseconds(99))
        #expect(connection.isOpen, "closed less than 100 ms into the drain")
        connection.advance(.milliseconds(1))
        #expect(!connection.isOpen)
    }

    @Test("asked to quiesce before it became active: it drains from its first moment")
    func quiesceBeforeActive() throws {
        let connection = try C(active: false)
        connection.quiesce()
        try connection.activate()
        connection.advance(.milliseconds(100))
        #expect(!connection.isOpen, "a connection quiesced before it was active waited for the idle timeout")
    }

    @Test("idle timeout: a connection with no complete request for that long is closed")
    func idle() throws {
        let connection = try C(idleTimeout: .seconds(60))
        connection.advance(.seconds(30))
        try connection.send(C.ping(1))
        connection.advance(.seconds(59))
        #expect(connection.isOpen, "closed less than the idle timeout after a request")
        // Bytes of an unfinished line are not activity: a dribbling client is idle.
        try connection.sendBytes(#"{"op""#)
        connection.advance(.seconds(1))
        #expect(!connection.isOpen)
    }

    @Test("idle timeout: not while a request is in flight; counted again from its answer")
    func idleNotWhileInFlight() throws {
        let connection = try C(idleTimeout: .seconds(60))
        try connection.send(C.get(1))
        connection.advance(.seconds(300))
        #expect(connection.isOpen, "closed while a request was being served")
        connection.advance(.seconds(30))
        connection.complete("1")
        connection.advance(.seconds(59))
        #expect(connection.isOpen, "closed less than the idle timeout after the answer")
        connection.advance(.seconds(31))
        #expect(!connection.isOpen)
    }
}
