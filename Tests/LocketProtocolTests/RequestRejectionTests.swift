import Foundation
import LocketProtocol
import Testing

/// One rejection rule per test: the code, and whether the id survives.
@Suite("Request: rejection rules")
struct RequestRejectionTests {
    /// A line that must fail with `code`, echoing `id` (nil: no id in the response).
    struct Case: CustomTestStringConvertible, Sendable {
        let line: [UInt8]
        let code: ErrorCode
        let id: String?
        init(_ line: String, _ code: ErrorCode, id: String?) {
            self.line = Array(line.utf8)
            self.code = code
            self.id = id
        }
        init(bytes: [UInt8], _ code: ErrorCode, id: String?) {
            self.line = bytes
            self.code = code
            self.id = id
        }
        var testDescription: String { String(decoding: line.prefix(80), as: UTF8.self) }
    }

    static func check(_ testCase: Case) {
        guard case .failure(let failure) = parse(testCase.line) else {
            Issue.record("accepted: \(testCase.testDescription)")
            return
        }
        #expect(failure.error.code == testCase.code, "\(failure.error.message)")
        #expect(failure.idText == testCase.id)
        #expect(!failure.error.message.isEmpty)
    }

    @Test("a line that is not valid UTF-8 is bad_request without id", arguments: [
        [0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80],
    ] as [[UInt8]])
    func invalidUTF8(_ bad: [UInt8]) {
        Self.check(Case(bytes: Array(#"{"id":1,"op":"put","ns":"a","key":"b","value":""#.utf8) + bad + Array(#""}"#.utf8), .badRequest, id: nil))
    }

    @Test("a line that is not JSON is bad_request without id, even with a visible id", arguments: [
        #"{"id":1,"op":"ping""#, #"{"id":1,"op":"ping",}"#, #"{"id":1,"op":"ping"} x"#, #"{"id":1,"op":"ping"}{"op":"ping"}"#,
        #"{'id':1}"#, "", " ", #"{"id":1,"op":"put","ns":"a","key":"b","value":01}"#, "\u{feff}{\"id\":1,\"op\":\"ping\"}",
    ])
    func notJSON(_ line: String) {
        Self.check(Case(line, .badRequest, id: nil))
    }

    @Test("a JSON value that is not an object is bad_request without id",
          arguments: ["[]", #"[{"id":1,"op":"ping"}]"#, #""ping""#, "1", "true", "null"])
    func notAnObject(_ line: String) {
        Self.check(Case(line, .badRequest, id: nil))
    }

    @Test("nesting deeper than 128 levels counting the request object is bad_request without id")
    func tooDeep() {
        Self.check(Case(#"{"id":1,"op":"put","ns":"a","key":"b","value":\#(nestedArrays(128))}"#, .badRequest, id: nil))
        Self.check(Case(#"{"id":1,"op":"put","ns":"a","key":"b","value":\#(nestedArrays(10_000))}"#, .badRequest, id: nil))
        #expect(request(#"{"id":1,"op":"put","ns":"a","key":"b","value":\#(nestedArrays(127))}"#) != nil)
    }

    @Test("a number that is not a finite double makes the line invalid: bad_request without id",
          arguments: ["1e400", "-1e400", "[1e999]", String(repeating: "9", count: 400)])
    func numberOutOfRange(_ number: String) {
        Self.check(Case(#"{"id":3,"op":"put","ns":"a","key":"b","value":\#(number)}"#, .badRequest, id: nil))
    }

    @Test("an id that is not a string or an integer is bad_request without id",
          arguments: ["1.5", "1.0", "1e3", "1E3", "-2.5e-1", "true", "false", "null", "[1]", #"{"n":1}"#])
    func idType(_ id: String) {
        Self.check(Case(#"{"id":\#(id),"op":"ping"}"#, .badRequest, id: nil))
        // The id is checked before the op, so an unknown op does not change the answer.
        Self.check(Case(#"{"id":\#(id),"op":"nope"}"#, .badRequest, id: nil))
    }

    @Test("a duplicate member is bad_request with the id")
    func duplicateMember() {
        Self.check(Case(#"{"id":7,"op":"get","ns":"a","ns":"b","key":"k"}"#, .badRequest, id: "7"))
        Self.check(Case(#"{"id":8,"op":"ping","op":"ping"}"#, .badRequest, id: "8"))
        Self.check(Case(#"{"op":"ping","x":1,"x":1}"#, .badRequest, id: nil))
        // Inside a value, duplicate names are the client's business: stored as sent.
        #expect(request(#"{"op":"put","ns":"a","key":"b","value":{"x":1,"x":2}}"#) != nil)
    }

    @Test("a missing op is bad_request with the id")
    func missingOp() {
        Self.check(Case(#"{"id":1}"#, .badRequest, id: "1"))
        Self.check(Case("{}", .badRequest, id: nil))
        Self.check(Case(#"{"id":"x","ns":"a","key":"b"}"#, .badRequest, id: #""x""#))
    }

    @Test("an op that is not a string is bad_request with the id", arguments: ["1", "null", "true", #"["ping"]"#, #"{"op":"ping"}"#])
    func opNotString(_ op: String) {
        Self.check(Case(#"{"id":2,"op":\#(op)}"#, .badRequest, id: "2"))
    }

    @Test("an unknown op is unknown_op with the id; op names are case-sensitive and exact",
          arguments: ["fetch", "PING", "Get", "", "ping ", " ping", "get\\u0000"])
    func unknownOp(_ op: String) {
        Self.check(Case(#"{"id":9,"op":"\#(op)"}"#, .unknownOp, id: "9"))
        Self.check(Case(#"{"op":"\#(op)"}"#, .unknownOp, id: nil))
    }

    @Test("put, get and delete need ns and key; put needs value: bad_request with the id", arguments: [
        #"{"id":1,"op":"put","key":"k","value":1}"#, #"{"id":1,"op":"put","ns":"n","value":1}"#, #"{"id":1,"op":"put","ns":"n","key":"k"}"#,
        #"{"id":1,"op":"get","ns":"n"}"#, #"{"id":1,"op":"get","key":"k"}"#, #"{"id":1,"op":"get"}"#,
        #"{"id":1,"op":"delete","ns":"n"}"#, #"{"id":1,"op":"delete","key":"k"}"#,
    ])
    func missingMembers(_ line: String) {
        Self.check(Case(line, .badRequest, id: "1"))
    }

    @Test("ns and key must be strings", arguments: ["1", "null", "true", #"["k"]"#, #"{"k":1}"#])
    func nameNotString(_ name: String) {
        Self.check(Case(#"{"id":1,"op":"get","ns":\#(name),"key":"k"}"#, .badRequest, id: "1"))
        Self.check(Case(#"{"id":1,"op":"put","ns":"n","key":\#(name),"value":1}"#, .badRequest, id: "1"))
        if name != "null" { Self.check(Case(#"{"id":1,"op":"list","ns":\#(name)}"#, .badRequest, id: "1")) }
    }

    @Test("names are 1 to 256 UTF-8 bytes: the limit counts bytes, not characters")
    func nameLength() {
        #expect(request(#"{"op":"get","ns":"\#(String(repeating: "a", count: 256))","key":"\#(String(repeating: "é", count: 128))"}"#) != nil)
        #expect(request(#"{"op":"get","ns":"a","key":"\#(String(repeating: "\\u00e9", count: 128))"}"#) != nil)
        for name in ["", String(repeating: "a", count: 257), String(repeating: "a", count: 255) + "é", String(repeating: "🔑", count: 65),
                     String(repeating: "\\u00e9", count: 129)] {
            Self.check(Case(#"{"id":1,"op":"get","ns":"\#(name)","key":"k"}"#, .badRequest, id: "1"))
            Self.check(Case(#"{"id":1,"op":"delete","ns":"n","key":"\#(name)"}"#, .badRequest, id: "1"))
            Self.check(Case(#"{"id":1,"op":"list","ns":"\#(name)"}"#, .badRequest, id: "1"))
        }
    }

    @Test("names must not contain U+0000–U+001F or U+007F, escaped or raw",
          arguments: ["\\u0000", "a\\u0001b", "\\u001f", "tab\\tkey", "\\n", "\\r", "del\\u007f", "raw\u{7f}del"])
    func nameControlCharacters(_ name: String) {
        Self.check(Case(#"{"id":1,"op":"put","ns":"n","key":"\#(name)","value":1}"#, .badRequest, id: "1"))
        Self.check(Case(#"{"id":1,"op":"put","ns":"\#(name)","key":"k","value":1}"#, .badRequest, id: "1"))
    }

    @Test("other characters are fine in names: C1 controls, no-break space, astral")
    func nameOtherCharacters() {
        #expect(request(#"{"op":"get","ns":"\u0080\u009f\u00a0","key":"\ud83d\udd11 \u2028"}"#) != nil)
    }

    @Test("a name with an unpaired surrogate escape is bad_request with the id",
          arguments: [#"\ud800"#, #"\udc00x"#, #"\ud83dx"#, #"\ud800\u0041"#, #"\ude00\ud83d"#, #"a\ud83d"#])
    func nameLoneSurrogate(_ name: String) {
        Self.check(Case(#"{"id":1,"op":"get","ns":"n","key":"\#(name)"}"#, .badRequest, id: "1"))
    }

    @Test("ttl must be an integer >= 1 written without fraction or exponent, within 64 bits",
          arguments: ["0", "-1", "1.5", "60.0", "6e1", #""60""#, "true", "[]", "{}", "99999999999999999999", "-0"])
    func ttlInvalid(_ ttl: String) {
        Self.check(Case(#"{"id":1,"op":"put","ns":"a","key":"b","value":1,"ttl":\#(ttl)}"#, .badRequest, id: "1"))
    }

    @Test("if_version must be an integer >= 0", arguments: ["-1", "1.5", "1.0", #""1""#, "true", "[0]", "1e0"])
    func ifVersionInvalid(_ version: String) {
        Self.check(Case(#"{"id":1,"op":"put","ns":"a","key":"b","value":1,"if_version":\#(version)}"#, .badRequest, id: "1"))
        Self.check(Case(#"{"id":1,"op":"delete","ns":"a","key":"b","if_version":\#(version)}"#, .badRequest, id: "1"))
    }

    @Test("hello's version must be an integer >= 0", arguments: [#""1""#, "1.5", "-1", "true"])
    func helloVersionInvalid(_ version: String) {
        Self.check(Case(#"{"id":1,"op":"hello","version":\#(version)}"#, .badRequest, id: "1"))
    }

    @Test("list's ns: null is absent (all namespaces), like every optional member")
    func listNamespaceNull() {
        #expect(request(#"{"id":1,"op":"list","ns":null}"#).map { $0.op == .list && $0.ns == nil } == true)
    }

    @Test("unlock's passphrase must not be empty")
    func emptyPassphrase() {
        Self.check(Case(#"{"id":1,"op":"unlock","passphrase":""}"#, .badRequest, id: "1"))
    }

    @Test("ttl is at most 100 years (3153600000 s)")
    func ttlCap() {
        #expect(request(#"{"op":"put","ns":"a","key":"b","value":1,"ttl":3153600000}"#)?.ttl == 3_153_600_000)
        Self.check(Case(#"{"id":1,"op":"put","ns":"a","key":"b","value":1,"ttl":3153600001}"#, .badRequest, id: "1"))
    }

    @Test("unlock's passphrase, when present, must be a string", arguments: ["1234", "null", "[]"])
    func passphraseNotString(_ passphrase: String) {
        Self.check(Case(#"{"id":1,"op":"unlock","passphrase":\#(passphrase)}"#, .badRequest, id: "1"))
    }

    @Test("a value of exactly 256 KiB of JSON text is accepted; one byte more is too_large with the id")
    func valueLimit() {
        let limit = ProtocolLimits.standard.maxValueBytes
        let atLimit = "\"" + String(repeating: "x", count: limit - 2) + "\""
        #expect(request(#"{"id":1,"op":"put","ns":"a","key":"b","value":\#(atLimit)}"#)?.valueJSON?.count == limit)
        let over = "\"" + String(repeating: "x", count: limit - 1) + "\""
        Self.check(Case(#"{"id":1,"op":"put","ns":"a","key":"b","value":\#(over)}"#, .tooLarge, id: "1"))
        // The limit is on the JSON text: escapes and whitespace count.
        let array = "[" + Array(repeating: "1", count: limit / 2).joined(separator: ",") + "]"
        #expect(array.utf8.count == limit + 1)
        Self.check(Case(#"{"id":"big","op":"put","ns":"a","key":"b","value":\#(array)}"#, .tooLarge, id: #""big""#))
    }

    @Test("a line over the line limit is too_large without id")
    func lineLimit() {
        let limits = ProtocolLimits.standard
        let padding = String(repeating: " ", count: limits.maxLineBytes - #"{"id":1,"op":"ping"}"#.utf8.count)
        #expect(request(#"{"id":1,"op":"ping"}"# + padding) != nil)
        let failure = failure(#"{"id":1,"op":"ping"}"# + padding + " ")
        #expect(failure?.error.code == .tooLarge)
        #expect(failure?.idJSON == nil)
    }

    @Test("rejection order: parse errors, then the id, then duplicates, then the op, then its members")
    func rejectionOrder() {
        // Duplicate members win over a missing op and an unknown op.
        Self.check(Case(#"{"id":1,"x":1,"x":2}"#, .badRequest, id: "1"))
        Self.check(Case(#"{"id":1,"op":"nope","x":1,"x":2}"#, .badRequest, id: "1"))
        // An unknown op wins over members it would not have.
        Self.check(Case(#"{"id":1,"op":"nope","ns":5}"#, .unknownOp, id: "1"))
        // An invalid id wins over everything after parsing.
        Self.check(Case(#"{"id":null,"x":1,"x":2}"#, .badRequest, id: nil))
    }

    @Test("error messages never echo a value or a passphrase")
    func messagesHoldNoSecrets() {
        let secret = "s3cr3t-value-xyzzy"
        let lines = [
            #"{"id":1,"op":"put","ns":"a","key":"b","value":"\#(secret)","ttl":0}"#,
            #"{"id":1,"op":"put","ns":"a","key":"b","value":"\#(secret)","if_version":-1}"#,
            #"{"id":1,"op":"put","ns":"","key":"b","value":"\#(secret)"}"#,
            #"{"id":1,"op":"unlock","passphrase":"\#(secret)","x":1,"x":2}"#,
            #"{"id":1.5,"op":"unlock","passphrase":"\#(secret)"}"#,
            #"{"id":1,"op":"unlock","passphrase":"\#(secret)"} trailing"#,
            #"{"id":1,"op":"put","ns":"a","key":"b","value":["\#(secret)",]}"#,
        ]
        for line in lines {
            guard let failure = failure(line) else {
                Issue.record("accepted \(line)")
                continue
            }
            #expect(!failure.error.message.contains(secret), "\(failure.error.message)")
        }
    }
}
