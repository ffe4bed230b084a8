import Foundation
import LocketProtocol
import Testing

/// The one JSON writer and the request writer on it.
@Suite("JSONWriter and request lines")
struct JSONWriterTests {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("commas between members and elements, at every depth, none after an opening")
    func nesting() {
        var writer = JSONWriter()
        writer.object { object in
            object.string("a", "x")
            object.name("b")
            object.array { array in
                array.int(1)
                array.object { inner in
                    inner.bool("t", true)
                    inner.name("e")
                    inner.array { _ in }
                    inner.name("o")
                    inner.object { _ in }
                }
                array.null()
                array.raw(Array("[1, 2]".utf8))
            }
            object.string("n", orNull: nil)
            object.timestamp("d", fixedCreated)
            object.strings("s", ["q\"", "\u{1}"])
            object.objects("i", [1, 2]) { item, n in item.int("n", n) }
        }
        writer.newline()
        #expect(Self.text(writer.bytes) == #"{"a":"x","b":[1,{"t":true,"e":[],"o":{}},null,[1, 2]],"n":null,"d":"2026-11-22T22:10:00Z","s":["q\"","\u0001"],"i":[{"n":1},{"n":2}]}"# + "\n")
    }

    @Test("a top-level array of objects (the CLI's list --json)")
    func topLevelArray() {
        var writer = JSONWriter()
        writer.array { array in
            for n in 0..<3 { array.object { $0.int("n", n) } }
        }
        #expect(Self.text(writer.bytes) == #"[{"n":0},{"n":1},{"n":2}]"#)
    }

    @Test("integers as String(value) gives them", arguments: [0, 7, -7, 1_000_000, Int.max, Int.min])
    func integers(value: Int) {
        var writer = JSONWriter()
        writer.int(value)
        #expect(Self.text(writer.bytes) == String(value))
    }

    @Test("a request line: op first, members in order, nil members left out, one newline")
    func request() {
        let request = Request(.put(.init(ns: "app", key: "k\"1", valueJSON: Array(#"{"a": 1}"#.utf8), ttl: nil, ifVersion: 0, lease: nil)))
        #expect(Self.text(request.line()) == #"{"op":"put","ns":"app","key":"k\"1","value":{"a": 1},"if_version":0}"# + "\n")
        #expect(Self.text(Request(.ping).line()) == #"{"op":"ping"}"# + "\n")
    }

    @Test("a request line reads back member by member, escapes undone")
    func requestReadsBack() throws {
        let reader = try AnswerReader(Request(.get(.init(ns: "app\u{7f}", key: "ü ✓\n"))).line())
        #expect(reader.string("op") == "get")
        #expect(reader.string("ns") == "app\u{7f}")
        #expect(reader.string("key") == "ü ✓\n")
    }
}
