// The bytes of an audit record's JSON are fixed: the audit schema, readers
// of old logs and the chain over whole frames rely on them. Since the entry
// writes its strings with LocketProtocol's `Escaping`, these pin that every
// control character is still written as \u00XX (never \n, \r or \t), `"` and
// `\` escaped, and everything else as it is.
import Foundation
@testable import LocketAudit
import LocketCrypto
import Testing

@Suite("Audit entry JSON")
struct AuditEntryJSONTests {
    static func fullEntry() -> AuditEntry {
        var entry = AuditEntry(time: 1_790_000_000_000, op: "get", ns: "a\"b", key: "k\\\n", outcome: "ok",
                               exe: "/x\t\u{7f}é", exeDeleted: true, pid: -1, uid: 1000, unit: "u\r.service")
        entry.keyHash = "00ff"
        entry.flatpak = "org.x"
        entry.snap = "s\u{1}"
        entry.label = "l"
        entry.target = "path /a b"
        entry.count = 3
        return entry
    }

    @Test("every member, in order, with controls as \\u00XX: the bytes written before the move")
    func bytesAreFixed() {
        let expected = #"{"t":1790000000000,"op":"get","ns":"a\"b","kh":"00ff","k":"k\\\u000a","out":"ok","#
            + #""exe":"/x\u0009\u007fé","exe_deleted":true,"pid":-1,"uid":1000,"unit":"u\u000d.service","#
            + #""fp":"org.x","snap":"s\u0001","lsm":"l","tgt":"path /a b","n":3}"#
        #expect(Self.fullEntry().json() == Array(expected.utf8), "\(String(decoding: Self.fullEntry().json(), as: UTF8.self))")
    }

    @Test("numbers are spelled as String spells them, at the extremes of each field's type")
    func numbersAtTheirExtremes() {
        for value in [Int64.min, Int64.min + 1, -1_000_000_007, -10, -9, -1, 0, 1, 9, 10, 99, 100, 1_790_000_000_000, Int64.max] {
            var out = Array("x".utf8)
            AuditEntry.integer(&out, value)
            #expect(out == Array(("x" + String(value)).utf8))
        }
        var entry = AuditEntry(time: .min, op: "get", ns: nil, key: nil, outcome: "ok", exe: nil, exeDeleted: false,
                               pid: .min, uid: .max, unit: nil)
        entry.count = .max
        #expect(String(decoding: entry.json(), as: UTF8.self)
            == #"{"t":-9223372036854775808,"op":"get","out":"ok","pid":-2147483648,"uid":4294967295,"n":9223372036854775807}"#)
    }

    @Test("the minimal entry: only the members that are set")
    func minimalEntry() {
        let entry = AuditEntry(time: 0, op: "list", ns: nil, key: nil, outcome: "locked",
                               exe: nil, exeDeleted: false, pid: 7, uid: 0, unit: nil)
        #expect(String(decoding: entry.json(), as: UTF8.self) == #"{"t":0,"op":"list","out":"locked","pid":7,"uid":0}"#)
    }

    @Test("what is written reads back as the same entry (Codable)")
    func roundTrip() throws {
        let entry = Self.fullEntry()
        let decoded = try JSONDecoder().decode(AuditEntry.self, from: Data(entry.json()))
        #expect(decoded == entry)
    }

    @Test("a key name's hash is keyed BLAKE2b of \"a\" and the name, first 16 bytes in hex, as logs already hold it")
    func keyHashIsFixed() throws {
        let hashKey = try SecureKey.random(protection: .readableWhileHeld)
        for name in ["", "alice", "ключ 🔑", String(repeating: "k", count: 300)] {
            let expected = hashKey.withUnsafeBytes { LookupHash.hash([0x61] + Array(name.utf8), rawKey: $0) }
                .prefix(16).map { String(format: "%02x", $0) }.joined()
            #expect(AuditKeys.keyHash(name, hashKey: hashKey) == expected)
        }
    }
}
