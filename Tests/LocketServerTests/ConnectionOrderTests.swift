// Protocol v1, "Pipelining": one connection's requests take effect in the
// order sent and are answered in that order, on the real connection pipeline
// (EmbeddedChannel, answers completed by hand).
import Testing
@testable import LocketServer

@Suite("Connection order")
struct ConnectionOrderTests {
    typealias C = TestConnection

    @Test("answers leave in request order when the requests are completed out of order")
    func answersInOrder() throws {
        let connection = try C()
        try connection.send(C.get(1), C.get(2), C.get(3))
        #expect(connection.serving.served == ["1", "2", "3"], "reads did not overlap")
        connection.complete("3")
        connection.complete("2")
        #expect(try connection.answerIDs() == [], "an answer overtook an earlier one")
        connection.complete("1")
        #expect(try connection.answerIDs() == ["1", "2", "3"])
    }

    @Test("an answer made on the spot waits behind an earlier one still being served")
    func inlineAnswerWaits() throws {
        let connection = try C()
        try connection.send(C.get(1), C.ping(2))
        #expect(connection.serving.served == ["1", "2"])
        #expect(try connection.answerIDs() == [])
        connection.complete("1")
        #expect(try connection.answerIDs() == ["1", "2"])
    }

    @Test("a read waits for an earlier write")
    func readWaitsForWrite() throws {
        let connection = try C()
        try connection.send(C.put(1), C.put(2), C.get(3))
        #expect(connection.serving.served == ["1", "2"], "writes did not overlap, or a read started beside them")
        connection.complete("1")
        #expect(connection.serving.served == ["1", "2"])
        connection.complete("2")
        #expect(connection.serving.served == ["1", "2", "3"])
        connection.complete("3")
        #expect(try connection.answerIDs() == ["1", "2", "3"])
    }

    @Test("a write waits for earlier reads")
    func writeWaitsForReads() throws {
        let connection = try C()
        try connection.send(C.get(1), C.get(2), C.put(3))
        #expect(connection.serving.served == ["1", "2"])
        connection.complete("2")
        #expect(connection.serving.served == ["1", "2"])
        connection.complete("1")
        #expect(connection.serving.served == ["1", "2", "3"])
    }

    @Test("an exclusive request waits for everything before it and holds back everything after it")
    func exclusiveHoldsBack() throws {
        let connection = try C()
        try connection.send(C.get(1), C.lock(2), C.get(3), C.ping(4))
        #expect(connection.serving.served == ["1"])
        connection.complete("1")
        #expect(connection.serving.served == ["1", "2"])
        #expect(try connection.answerIDs() == ["1"])
        connection.complete("2")
        #expect(connection.serving.served == ["1", "2", "3", "4"])
        connection.complete("3")
        #expect(try connection.answerIDs() == ["2", "3", "4"])
    }

    @Test("a line that cannot be parsed is answered in its place, and the connection keeps serving")
    func badLineInOrder() throws {
        let connection = try C()
        try connection.send(C.get(1), #"{"id":2,"op":"get""#, C.get(3))
        connection.complete("3")
        connection.complete("1")
        let answers = try connection.answers()
        #expect(answers.map(\.code) == [nil, "bad_request", nil])
        #expect(connection.isOpen)
    }

    @Test("a request whose work fails is answered internal, in its place")
    func failedFuture() throws {
        let connection = try C()
        try connection.send(C.get(1), C.get(2))
        connection.serving.fail("1")
        connection.complete("2")
        let answers = try connection.answers()
        #expect(answers.map(\.code) == ["internal", nil])
        #expect(connection.isOpen)
    }
}
