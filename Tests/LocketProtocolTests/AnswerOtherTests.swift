import LocketProtocol
import Testing

/// `hello`, `rotate`, `watch`, the bare success and the error answer; how an
/// answer line is read (ok:false, unreadable lines).
@Suite("Answers: hello, rotate, watch, errors")
struct AnswerOtherTests {
    @Test("hello: protocol, server, ops")
    func hello() {
        expectRoundTrip(Answer.Hello(protocolVersion: 1, server: "locketd 0.9.0", ops: ["hello", "ping", "get"]),
            #"{"id":7,"ok":true,"protocol":1,"server":"locketd 0.9.0","ops":["hello","ping","get"]}"#)
    }

    @Test("rotate, watch, and the bare success of ping, lock, unlock")
    func small() {
        expectRoundTrip(Answer.Rotate(rewrapped: 12), #"{"id":7,"ok":true,"rewrapped":12}"#)
        expectRoundTrip(Answer.Watching(), #"{"id":7,"ok":true,"watching":true}"#)
        expectRoundTrip(Answer.Done(), #"{"id":7,"ok":true}"#)
        expectRoundTrip(Answer.Done(), id: nil, #"{"ok":true}"#)
    }

    @Test("the error answer: ok false, code and message (escaped), read back")
    func failure() throws {
        let failure = Answer.Failure(ProtocolError(.conflict, "version is \"2\"\nnot 3"))
        let line = failure.line(id: Array(#""r7""#.utf8))
        #expect(String(decoding: line, as: UTF8.self)
            == #"{"id":"r7","ok":false,"error":{"code":"conflict","message":"version is \"2\"\nnot 3"}}"# + "\n")
        #expect(try Answer.Failure(line: line) == failure)
    }

    @Test("reading any answer from an ok:false line throws the daemon's error")
    func daemonError() {
        let line = #"{"id":1,"ok":false,"error":{"code":"locked","message":"vault is locked: requested"}}"#
        #expect(answerError(Answer.Entry.self, line) == .daemon(ProtocolError(.locked, "vault is locked: requested")))
        #expect(answerError(Answer.Done.self, line) == .daemon(ProtocolError(.locked, "vault is locked: requested")))
    }

    @Test("an error answer without an error object, or with an unknown code, is malformed")
    func badErrors() {
        #expect(answerError(Answer.Done.self, #"{"ok":false}"#) == .malformed("an error answer without an error object"))
        #expect(answerError(Answer.Done.self, #"{"ok":false,"error":{"code":"meh","message":"x"}}"#)
            == .malformed("unknown error code in an answer: meh"))
        #expect(answerError(Answer.Done.self, #"{"ok":false,"error":{"message":"x"}}"#)
            == .malformed("unknown error code in an answer: none"))
    }

    @Test("a line that is not a JSON object is malformed, saying why")
    func unreadable() {
        guard case .malformed(let message)? = answerError(Answer.Done.self, "[1,2]") else {
            Issue.record("an array read as an answer")
            return
        }
        #expect(message.hasPrefix("unreadable answer from locketd: "))
        #expect(answerError(Answer.Done.self, #"{"ok":true"#) != nil)
    }

    @Test("arrays nested in an answer are validated, with their offsets kept")
    func arrays() throws {
        let reader = try AnswerReader(Array(#"{"a" : [ "x" , "y\u0041" ] ,"b":[{"n":1},{"n":2}],"c":[]}"#.utf8))
        #expect(try reader.strings("a") == ["x", "yA"])
        #expect(try reader.objects("b").map { try $0.int("n") } == [1, 2])
        #expect(try reader.strings("c") == [])
        #expect(throws: AnswerError.self) { try reader.strings("b") }
        #expect(throws: AnswerError.self) { try reader.objects("missing") }
    }

    @Test("a repeated member name reads as its last value, with few members and with many")
    func repeatedNames() throws {
        let few = try AnswerReader(Array(#"{"v":1,"w":"x","v":2}"#.utf8))
        #expect(try few.int("v") == 2)
        #expect(few.string("w") == "x")
        #expect(few.isAbsentOrNull("missing"))
        #expect(few.members.count == 2)
        #expect(few.members["v"].map { String(decoding: few.bytes[$0.range], as: UTF8.self) } == "2")
        // Past the linear search's limit the lookups go through a table: same answers.
        let names = (0..<40).map { "\"m\($0)\":\($0)" }.joined(separator: ",")
        let many = try AnswerReader(Array("{\(names),\"m7\":700}".utf8))
        #expect(try many.int("m7") == 700)
        #expect(try many.int("m39") == 39)
        #expect(many.optionalInt("m40") == nil)
        #expect(many.members.count == 40)
    }
}
