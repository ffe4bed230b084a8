import Foundation
import LocketProtocol
import Testing

/// RFC 8259 as the scanner enforces it, plus the protocol's own limits
/// (finite numbers, a nesting depth).
@Suite("JSON scanner")
struct JSONScannerTests {
    static let valid: [String] = [
        "{}", "[]", "0", "-0", "1", "-1", "10", "1.5", "-0.5", "1e10", "1E10", "1e+10", "1e-10", "1.5E-3",
        "0.0", "123456789012345", "9007199254740993", "18446744073709551616", "1.7976931348623157e308", "5e-324",
        "\"\"", "\"a\"", "true", "false", "null",
        " \t\r\n{} \t\r\n", "[ 1 , 2 ]", "{ \"a\" : 1 }", "{\"\":0}",
        "{\"a\":[1,{\"b\":null}],\"c\":{\"d\":[true,false]}}",
        "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
        "\"\\u00e9 \\u00E9 \\uABCD\"",
        "\"\\ud83d\\ude00\"",
        "\"é 日本 😀\"",
        "\"\u{7f}\"",  // DEL needs no escape in JSON
        "\"\\ud800\"", // grammar only: a lone surrogate is refused where a string is decoded (names), not here
        "[[[[[[[[[[]]]]]]]]]]",
    ]

    static let invalid: [String] = [
        "", " ", "\n",
        // numbers
        "01", "00", "-01", "-", "-a", "+1", ".1", "1.", "1.e3", "1e", "1e+", "1E-", "0x10", "1.2.3", "--1",
        "NaN", "Infinity", "-Infinity", "1e400", "-1e400", String(repeating: "9", count: 400), "[1e999]",
        // literals
        "tru", "True", "nul", "nulll", "falsee", "undefined",
        // strings
        "\"abc", "\"a\tb\"", "\"a\nb\"", "\"a\u{0}b\"", "\"a\u{1f}b\"", "\"\\x41\"", "\"\\a\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\u\"", "\"\\\"", "'a'",
        // containers
        "[1,]", "[,]", "[,1]", "[1 2]", "[", "]", "[1]]", "{", "}", "{\"a\":1}}", "{,}", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}",
        "{\"a\":}", "{1:1}", "{a:1}", "{'a':1}", "{\"a\":1 \"b\":2}", "[1:2]", "{\"a\",1}",
        // more than one value
        "{} {}", "1 2", "[] []", "{}x", "\"a\"\"b\"",
        // not JSON whitespace
        "\u{feff}{}", "\u{a0}{}", "\u{b}{}", "\u{c}{}",
    ]

    @Test("accepts valid documents", arguments: valid)
    func acceptsValidDocument(_ text: String) {
        #expect(validationError(Array(text.utf8)) == nil)
    }

    @Test("rejects invalid documents with bad_request", arguments: invalid)
    func rejectsInvalidDocument(_ text: String) {
        let error = validationError(Array(text.utf8))
        #expect(error?.code == .badRequest, "accepted: \(text.debugDescription)")
    }

    @Test("nesting up to the limit is accepted, one more level is not")
    func nestingLimit() {
        #expect(validationError(Array(nestedArrays(128).utf8), maxDepth: 128) == nil)
        #expect(validationError(Array(nestedArrays(129).utf8), maxDepth: 128)?.code == .badRequest)
        let objects = String(repeating: "{\"a\":", count: 129) + "1" + String(repeating: "}", count: 129)
        #expect(validationError(Array(objects.utf8), maxDepth: 128)?.code == .badRequest)
        #expect(validationError(Array(nestedArrays(3).utf8), maxDepth: 3) == nil)
        #expect(validationError(Array(nestedArrays(4).utf8), maxDepth: 3)?.code == .badRequest)
    }

    @Test("10,000 and 1,000,000 levels of nesting are rejected without exhausting the stack")
    func deepNestingRejected() {
        for depth in [10_000, 1_000_000] {
            #expect(validationError(Array(nestedArrays(depth).utf8))?.code == .badRequest)
            #expect(validationError(Array(String(repeating: "[", count: depth).utf8))?.code == .badRequest)
            let request = "{\"op\":\"put\",\"value\":" + nestedArrays(depth) + "}"
            guard case .failure(let error) = scanMembers(request) else {
                Issue.record("accepted \(depth) levels")
                continue
            }
            #expect(error.code == .badRequest)
            #expect(error.message.contains("nesting"))
        }
    }

    @Test("the depth limit counts the request object: 127 levels inside it are the most")
    func requestDepthCountsTheObject() throws {
        guard case .success = scanMembers("{\"v\":" + nestedArrays(127) + "}") else {
            Issue.record("127 levels inside the request were refused")
            return
        }
        guard case .failure(let error) = scanMembers("{\"v\":" + nestedArrays(128) + "}") else {
            Issue.record("128 levels inside the request were accepted")
            return
        }
        #expect(error.code == .badRequest)
    }

    @Test("members of the request object: names unescaped, kinds, and each value's exact text")
    func membersWithRanges() throws {
        let text = #"{"a":1,"b" : "x\n" ,"c":[1, 2],"d":{},"e":true,"f":null,"g":false,"\u0068":-2.5e3}"#
        let members = try scanMembers(text).get()
        #expect(members.map(\.name) == ["a", "b", "c", "d", "e", "f", "g", "h"])
        #expect(members.map(\.kind) == [.number, .string, .array, .object, .bool, .null, .bool, .number])
        #expect(members.map(\.text) == ["1", #""x\n""#, "[1, 2]", "{}", "true", "null", "false", "-2.5e3"])
    }

    @Test("members are reported in order, duplicates included (the request layer rejects them)")
    func duplicateMembersReported() throws {
        let members = try scanMembers(#"{"a":1,"a":2}"#).get()
        #expect(members.map(\.name) == ["a", "a"])
        #expect(members.map(\.text) == ["1", "2"])
    }

    @Test("a top-level value that is not an object is refused by members(of:)",
          arguments: ["[]", "[{\"op\":\"ping\"}]", "\"ping\"", "42", "true", "null", "-1.5"])
    func topLevelScalarsAreNotRequests(_ text: String) {
        #expect(validationError(Array(text.utf8)) == nil)
        guard case .failure(let error) = scanMembers(text) else {
            Issue.record("accepted \(text) as a request object")
            return
        }
        #expect(error.code == .badRequest)
        #expect(error.message.contains("object"))
    }

    @Test("a member name with an unpaired surrogate escape is refused")
    func memberNameWithLoneSurrogate() {
        guard case .failure(let error) = scanMembers(#"{"\ud800":1}"#) else {
            Issue.record("accepted a lone surrogate in a member name")
            return
        }
        #expect(error.code == .badRequest)
    }

    @Test("decodeString decodes every escape and surrogate pairs")
    func decodeEscapes() throws {
        let token = Array(#""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \ud83d\ude00 日""#.utf8)
        let text = try token.withUnsafeBytes { (buffer) throws(ProtocolError) in
            try JSONScanner.decodeString(buffer, 0..<token.count)
        }
        #expect(text == "\" \\ / \u{8} \u{c} \n \r \t A é 😀 日")
    }

    @Test("decodeString refuses unpaired surrogates",
          arguments: [#""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\ud800\u0041""#, #""\ude00\ud83d""#, #""a\ud83d""#])
    func decodeRefusesLoneSurrogates(_ literal: String) {
        let token = Array(literal.utf8)
        let error: ProtocolError? = token.withUnsafeBytes { buffer -> ProtocolError? in
            do throws(ProtocolError) {
                _ = try JSONScanner.decodeString(buffer, 0..<token.count)
                return nil
            } catch {
                return error
            }
        }
        #expect(error?.code == .badRequest)
    }

    @Test("errors say where: the byte offset of the problem")
    func errorsCarryOffset() {
        let error = validationError(Array("[1,2,]".utf8))
        #expect(error?.message.contains("byte 5") == true)
    }
}
