import Foundation
import LocketProtocol
import Testing

/// Each op parses into the members the spec gives it.
@Suite("Request: ops")
struct RequestOpTests {
    @Test("the ops of protocol v1, in the spec's order")
    func opList() {
        #expect(Op.allCases.map(\.rawValue) == ["hello", "ping", "put", "get", "delete", "list", "status", "lock", "unlock", "rotate", "audit", "watch", "allow", "deny", "rules", "lease", "release"])
    }

    @Test("audit: ns, since (RFC 3339, fractions allowed) and limit are optional; null is absent")
    func audit() throws {
        let plain = try #require(request(#"{"op":"audit"}"#))
        #expect(plain.op == .audit && plain.ns == nil && plain.since == nil && plain.limit == nil)
        let full = try #require(request(#"{"op":"audit","ns":"app","since":"2026-11-22T22:10:00.250Z","limit":5}"#))
        #expect(full.ns == "app" && full.limit == 5)
        #expect(full.since == Date(timeIntervalSince1970: 1_795_385_400.25))
        #expect(request(#"{"op":"audit","ns":null,"since":null,"limit":null}"#)?.since == nil)
        #expect(request(#"{"op":"audit","limit":100000}"#)?.limit == 100_000)
    }

    @Test("watch: ns and expiring_within are optional, null is absent")
    func watch() throws {
        let plain = try #require(request(#"{"op":"watch"}"#))
        #expect(plain.op == .watch && plain.ns == nil && plain.expiringWithin == nil)
        let full = try #require(request(#"{"id":2,"op":"watch","ns":"app","expiring_within":300}"#))
        #expect(full.ns == "app" && full.expiringWithin == 300)
        let nulls = try #require(request(#"{"op":"watch","ns":null,"expiring_within":null}"#))
        #expect(nulls.ns == nil && nulls.expiringWithin == nil)
        #expect(request(#"{"op":"watch","expiring_within":0}"#)?.expiringWithin == 0)
        #expect(request(#"{"op":"watch","expiring_within":3153600000}"#)?.expiringWithin == 3_153_600_000)
        #expect(request(#"{"op":"watch","expiring_within":3153600001}"#) == nil)
        #expect(request(#"{"op":"watch","expiring_within":-1}"#) == nil)
    }

    @Test("hello, with and without version")
    func hello() throws {
        let plain = try #require(request(#"{"op":"hello"}"#))
        #expect(plain.op == .hello)
        #expect(plain.version == nil)
        #expect(plain.idJSON == nil)
        #expect(request(#"{"op":"hello","version":1}"#)?.version == 1)
        #expect(request(#"{"op":"hello","version":0}"#)?.version == 0)
        #expect(request(#"{"op":"hello","version":null}"#)?.version == nil)
    }

    @Test("ops without members", arguments: [Op.ping, .status, .lock, .rotate])
    func opsWithoutMembers(_ op: Op) throws {
        let parsed = try #require(request(#"{"id":5,"op":"\#(op.rawValue)"}"#))
        #expect(parsed.op == op)
        #expect(parsed.idText == "5")
        #expect(parsed.ns == nil && parsed.key == nil && parsed.valueJSON == nil && parsed.ttl == nil && parsed.ifVersion == nil)
    }

    @Test("put: names, the value as the exact text sent, ttl and if_version")
    func put() throws {
        let parsed = try #require(request(#"{"id":"r1","op":"put","ns":"app","key":"k","value": { "b" : [1, 2.50, "x"] } ,"ttl":60,"if_version":3}"#))
        #expect(parsed.op == .put)
        #expect(parsed.idText == #""r1""#)
        #expect(parsed.ns == "app")
        #expect(parsed.key == "k")
        #expect(parsed.valueText == #"{ "b" : [1, 2.50, "x"] }"#)
        #expect(parsed.ttl == 60)
        #expect(parsed.ifVersion == 3)
    }

    @Test("put: ttl and if_version are optional; null is absent")
    func putOptionals() throws {
        let bare = try #require(request(#"{"op":"put","ns":"a","key":"b","value":1}"#))
        #expect(bare.ttl == nil && bare.ifVersion == nil)
        let nulls = try #require(request(#"{"op":"put","ns":"a","key":"b","value":1,"ttl":null,"if_version":null}"#))
        #expect(nulls.ttl == nil && nulls.ifVersion == nil)
        #expect(request(#"{"op":"put","ns":"a","key":"b","value":1,"if_version":0}"#)?.ifVersion == 0)
        #expect(request(#"{"op":"put","ns":"a","key":"b","value":1,"ttl":1}"#)?.ttl == 1)
    }

    @Test("put: every JSON type is a value, kept as text",
          arguments: ["null", "true", "false", "0", "-0", "9007199254740993", "123456789012345678901234567890",
                      "0.1", "-2.5E+10", "\"\"", #""\ud800""#, "[]", "{}", #"{"x":1,"x":2}"#, #"["\u0000"]"#])
    func putValueKinds(_ value: String) {
        #expect(request(#"{"op":"put","ns":"a","key":"b","value":\#(value)}"#)?.valueText == value)
    }

    @Test("get and delete: names; delete's if_version")
    func getAndDelete() throws {
        let get = try #require(request(#"{"op":"get","ns":"app","key":"k"}"#))
        #expect(get.op == .get && get.ns == "app" && get.key == "k")
        let delete = try #require(request(#"{"op":"delete","ns":"app","key":"k","if_version":2}"#))
        #expect(delete.op == .delete && delete.ns == "app" && delete.key == "k" && delete.ifVersion == 2)
        #expect(request(#"{"op":"delete","ns":"app","key":"k"}"#)?.ifVersion == nil)
    }

    @Test("list: ns is optional")
    func list() {
        #expect(request(#"{"op":"list"}"#).map { $0.op == .list && $0.ns == nil } == true)
        #expect(request(#"{"op":"list","ns":"app"}"#)?.ns == "app")
    }

    @Test("unlock: the passphrase as decoded bytes, never a String")
    func unlock() {
        #expect(request(#"{"op":"unlock"}"#).map { $0.op == .unlock && $0.passphrase == nil } == true)
        #expect(request(#"{"op":"unlock","passphrase":"p\u00e9 \"q\""}"#)?.passphrase == Array("pé \"q\"".utf8))
    }

    @Test("names are decoded: escapes and raw UTF-8 give the same name")
    func namesDecoded() {
        let escaped = request(#"{"op":"get","ns":"\u65e5\u672c","key":"cl\u00e9 \ud83d\udd11"}"#)
        let raw = request(#"{"op":"get","ns":"日本","key":"clé 🔑"}"#)
        #expect(escaped?.ns == "日本" && escaped?.key == "clé 🔑")
        #expect(raw?.ns == escaped?.ns && raw?.key == escaped?.key)
    }

    @Test("unknown members are ignored, defined names of other ops included")
    func unknownMembersIgnored() throws {
        let parsed = try #require(request(#"{"id":1,"op":"get","ns":"a","key":"b","value":[1],"ttl":"x","if_version":{},"extra":null}"#))
        #expect(parsed.op == .get)
        #expect(parsed.valueJSON == nil && parsed.ttl == nil && parsed.ifVersion == nil)
        #expect(request(#"{"op":"ping","passphrase":5,"ns":""}"#)?.op == .ping)
    }

    @Test("JSON whitespace around the object and a trailing CR are allowed")
    func whitespace() {
        #expect(request(" \t{ \"op\" : \"ping\" } \t\r")?.op == .ping)
    }

    @Test("the id is echoed as the exact JSON text sent",
          arguments: ["1", "-7", "0", "-0", "123456789012345678901234567890", #""abc""#, #""""#, #""a\u0041""#, #""é""#])
    func idVerbatim(_ id: String) {
        #expect(request(#"{"id":\#(id),"op":"ping"}"#)?.idText == id)
    }

    @Test("limits can be configured: names and values")
    func customLimits() {
        let limits = ProtocolLimits(maxLineBytes: 100, maxValueBytes: 3, maxDepth: 4, maxNameBytes: 2)
        #expect(request(#"{"op":"put","ns":"ab","key":"c","value":"x"}"#, limits: limits) != nil)
        #expect(failure(#"{"op":"put","ns":"abc","key":"c","value":1}"#, limits: limits)?.error.code == .badRequest)
        #expect(failure(#"{"op":"put","ns":"a","key":"c","value":"xy"}"#, limits: limits)?.error.code == .tooLarge)
        let shallow = ProtocolLimits(maxDepth: 4)
        #expect(request(#"{"op":"put","ns":"a","key":"c","value":[[[]]]}"#, limits: shallow) != nil)
        let deeper = failure(#"{"id":1,"op":"put","ns":"a","key":"c","value":[[[[]]]]}"#, limits: shallow)
        #expect(deeper?.error.code == .badRequest && deeper?.idJSON == nil)
        let longLine = failure(#"{"id":1,"op":"ping","pad":"\#(String(repeating: "x", count: 80))"}"#, limits: limits)
        #expect(longLine?.error.code == .tooLarge && longLine?.idJSON == nil)
    }

    @Test("the standard limits are those of the spec")
    func standardLimits() {
        #expect(ProtocolLimits.standard == ProtocolLimits(maxLineBytes: 1_048_576, maxValueBytes: 262_144, maxDepth: 128, maxNameBytes: 256))
    }
}
