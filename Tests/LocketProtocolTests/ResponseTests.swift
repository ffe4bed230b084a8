import Foundation
import LocketProtocol
import LocketTestSupport
import Testing

/// The response builder's exact bytes.
@Suite("Response")
struct ResponseTests {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("a success without id is {\"ok\":true} and one newline")
    func bareSuccess() {
        #expect(Self.text(Response.success(id: nil).finished()) == "{\"ok\":true}\n")
    }

    @Test("the id comes first, as the exact text given")
    func successWithId() {
        #expect(Self.text(Response.success(id: Array("42".utf8)).finished()) == "{\"id\":42,\"ok\":true}\n")
        #expect(Self.text(Response.success(id: Array(#""a\u0041""#.utf8)).finished()) == #"{"id":"a\u0041","ok":true}"# + "\n")
    }

    @Test("typed members, in the order appended")
    func typedMembers() {
        var response = Response.success(id: Array("1".utf8))
        response.bool("created", true)
        response.int("version", 3)
        response.timestamp("expires_at", nil)
        response.timestamp("created_at", Date(timeIntervalSince1970: 1_795_385_400))
        response.string("server", "locketd 0.1.0")
        response.raw("value", Array(#"{ "a" : [1, 2.50] }"#.utf8))
        response.bool("locked", false)
        response.int("neg", -5)
        #expect(Self.text(response.finished()) ==
            #"{"id":1,"ok":true,"created":true,"version":3,"expires_at":null,"created_at":"2026-11-22T22:10:00Z","server":"locketd 0.1.0","value":{ "a" : [1, 2.50] },"locked":false,"neg":-5}"# + "\n")
    }

    @Test("arrays: elements written by the closure, comma-separated")
    func arrays() {
        var response = Response.success(id: nil)
        response.array("ops", ["hello", "ping"]) { name, out in Escaping.appendString(name, to: &out) }
        response.array("items", [Int]()) { _, _ in }
        #expect(Self.text(response.finished()) == #"{"ok":true,"ops":["hello","ping"],"items":[]}"# + "\n")
    }

    @Test("a failure line: ok false, then code and message")
    func failure() {
        #expect(Self.text(Response.failure(id: nil, ProtocolError(.notFound, "no such entry")).bytes) ==
            #"{"ok":false,"error":{"code":"not_found","message":"no such entry"}}"# + "\n")
        #expect(Self.text(Response.failure(id: Array(#""r7""#.utf8), ProtocolError(.conflict, "version is 2")).bytes) ==
            #"{"id":"r7","ok":false,"error":{"code":"conflict","message":"version is 2"}}"# + "\n")
    }

    @Test("a message with quotes, newlines and control characters stays on one line of valid JSON")
    func failureMessageEscaped() throws {
        let line = Response.failure(id: nil, ProtocolError(.badRequest, "bad \"x\"\nnext\u{0}\u{7f}")).bytes
        #expect(line.last == 0x0a)
        #expect(!line.dropLast().contains(0x0a))
        let parsed = try #require(try VectorPattern.parse(line) as? [String: Any])
        let error = try #require(parsed["error"] as? [String: Any])
        #expect(error["message"] as? String == "bad \"x\"\nnext\u{0}\u{7f}")
    }

    @Test("the error codes of protocol v1")
    func errorCodes() {
        #expect(ErrorCode.allCases.map(\.rawValue) ==
            ["bad_request", "unknown_op", "not_found", "too_large", "conflict", "locked", "forbidden", "unavailable", "internal"])
    }

    @Test("every failure matches the vector pattern of its code", arguments: ErrorCode.allCases)
    func failureMatchesPattern(_ code: ErrorCode) throws {
        let line = Response.failure(id: Array("5".utf8), ProtocolError(code, "why")).bytes
        let pattern = try VectorPattern.parse(#"{"id":5,"ok":false,"error":{"code":"\#(code.rawValue)","message":"$string"}}"#)
        #expect(VectorPattern.matches(pattern: pattern, line: line) == nil)
    }

    @Test("ProtocolError describes itself as code: message")
    func errorDescription() {
        #expect(ProtocolError(.locked, "vault is locked").description == "locked: vault is locked")
    }
}

/// JSON string escaping of response text.
@Suite("Escaping")
struct EscapingTests {
    static let table: [(String, String)] = [
        ("", #""""#),
        ("plain", #""plain""#),
        ("\"", #""\"""#),
        ("\\", #""\\""#),
        ("/", #""/""#),
        ("\n", #""\n""#),
        ("\r", #""\r""#),
        ("\t", #""\t""#),
        ("\u{0}", #""\u0000""#),
        ("\u{8}", #""\u0008""#),
        ("\u{c}", #""\u000c""#),
        ("\u{1b}", #""\u001b""#),
        ("\u{1f}", #""\u001f""#),
        ("\u{7f}", #""\u007f""#),
        (" ~", #"" ~""#),
        ("é日😀", "\"é日😀\""),
        ("\u{80}\u{2028}", "\"\u{80}\u{2028}\""),
        ("a\"b\\c\nd", #""a\"b\\c\nd""#),
    ]

    @Test("control characters, quotes and backslashes are escaped; everything else is raw UTF-8")
    func appendString() {
        for (input, expected) in Self.table {
            var out: [UInt8] = []
            Escaping.appendString(input, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(input.debugDescription)")
        }
    }

    @Test("escaped text parses back to the same string")
    func roundTrip() throws {
        var all = ""
        for scalar in 0..<0x80 { all.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        all += "é😀\u{10FFFF}"
        var out: [UInt8] = []
        Escaping.appendString(all, to: &out)
        #expect(try VectorPattern.parse(out) as? String == all)
    }

    @Test("appendString appends, keeping what was there")
    func appends() {
        var out = Array("x:".utf8)
        Escaping.appendString("y", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x:\"y\"")
    }

    @Test("printable replaces control characters and shortens long text")
    func printable() {
        #expect(Escaping.printable("a\u{0}b\nc\u{7f}", limit: 64) == "a?b?c?")
        #expect(Escaping.printable("abcdef", limit: 3) == "abc…")
        #expect(Escaping.printable("abc", limit: 3) == "abc")
        #expect(Escaping.printable("ééé", limit: 2) == "éé…")
    }
}
