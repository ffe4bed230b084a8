// The reader's own decoding of a record's entry (`AuditEntry.decode(json:)`)
// against Foundation's `JSONDecoder`, which it replaces: the same verdict and
// the same values on the shapes the writer writes, on malformed entries, and
// on every one-byte change of them; and the writer's shapes never reach
// `JSONDecoder` (the fast path decides them).
import Foundation
@testable import LocketAudit
import Testing

@Suite("Audit entry decoding")
struct AuditEntryDecodingTests {
    /// The entries the writer writes: every member, the minimal ones, a dropped count, odd text.
    static let written: [AuditEntry] = {
        var list = [AuditEntryJSONTests.fullEntry()]
        list.append(AuditEntry(time: 0, op: "list", ns: nil, key: nil, outcome: "locked",
                               exe: nil, exeDeleted: false, pid: 7, uid: 0, unit: nil))
        list.append(AuditEntry(droppedCount: 12, time: 1_790_000_000_123))
        list.append(AuditEntry(time: -1, op: "put", ns: "\u{0}\u{1f}\"\\/", key: "ключ 🔑", outcome: "denied",
                               exe: "/usr/bin/e\u{301}", exeDeleted: true, pid: Int32.min, uid: UInt32.max, unit: "a.scope"))
        var hashed = AuditEntry(time: 999_999_999_999_999_999, op: "get", ns: "n", key: nil, outcome: "ok",
                                exe: "", exeDeleted: false, pid: Int32.max, uid: 1, unit: "")
        hashed.keyHash = String(repeating: "ab", count: 16)
        hashed.count = -5
        list.append(hashed)
        return list
    }()

    /// Entry JSON that is wrong, odd, or outside the writer's shapes.
    static let malformed: [String] = [
        "", " ", "x", "[]", "{}", "null", "1", "\"s\"", "{", "}", "{\"t\":1", "{\"t\":1,}",
        #"{"op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"op":"get","pid":1,"uid":2}"#,
        #"{"t":1,"op":"get","out":"ok","uid":2}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1}"#,
        #"{"t":null,"op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"op":null,"out":"ok","pid":1,"uid":2}"#,
        #"{"t":"1","op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"op":5,"out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"ns":null,"kh":null,"k":null,"exe":null,"unit":null}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"fp":null,"snap":null,"lsm":null,"tgt":null,"n":null}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"exe_deleted":false}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"exe_deleted":null}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"exe_deleted":1}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"exe_deleted":"true"}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"ns":1}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"ns":["a"]}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"ns":{"a":1}}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"extra":[[[1]]]}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"extra":1e400}"#,
        #"{"t":1,"op":"get","op":"put","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"op":5,"op":"put","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1.0,"op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1.5,"op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1e3,"op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":-0,"op":"get","out":"ok","pid":-0,"uid":-0}"#,
        #"{"t":01,"op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":9223372036854775807,"op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":9223372036854775808,"op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":-9223372036854775808,"op":"get","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"op":"get","out":"ok","pid":2147483648,"uid":2}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":-1}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":4294967296}"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2,"n":99999999999999999999}"#,
        #"{"t":1,"op":"g\u0065t\ud83d\udd11","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"op":"\ud83d","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"op":"\udd11","out":"ok","pid":1,"uid":2}"#,
        #"{"t":1,"op":"\x","out":"ok","pid":1,"uid":2}"#,
        #"{"\u0074":1,"op":"get","out":"ok","pid":1,"uid":2}"#,
        #" {"t":1,"op":"get","out":"ok","pid":1,"uid":2} "#,
        "\u{feff}{\"t\":1,\"op\":\"get\",\"out\":\"ok\",\"pid\":1,\"uid\":2}",
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2} x"#,
        #"{"t":1,"op":"get","out":"ok","pid":1,"uid":2}{}"#,
        "{\"t\":1,\"op\":\"a\tb\",\"out\":\"ok\",\"pid\":1,\"uid\":2}",
    ]

    /// Byte strings beyond what a Swift string literal holds: bad UTF-8, UTF-16, NUL.
    static let malformedBytes: [[UInt8]] = [
        Array(#"{"t":1,"op":"#.utf8) + [0x22, 0xff, 0xfe, 0x22] + Array(#","out":"ok","pid":1,"uid":2}"#.utf8),
        Array(#"{"t":1,"op":"get","out":"ok","pid":1,"uid":2}"#.utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }),
        [0xff, 0xfe] + Array(#"{"t":1,"op":"get","out":"ok","pid":1,"uid":2}"#.utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }),
        [0x00], [0x7b, 0x00], [0xef, 0xbb, 0xbf, 0x7b, 0x7d], [0x80, 0x81], [0x41, 0x00, 0x42, 0x00],
    ]

    /// Compares the reader's verdict and value with `JSONDecoder`'s; returns what the fast path decided.
    @discardableResult
    static func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> AuditEntry.FastDecoding {
        let reference = try? JSONDecoder().decode(AuditEntry.self, from: Data(bytes))
        let ours = bytes.withUnsafeBytes { AuditEntry.decode(json: $0) }
        let text = String(decoding: bytes, as: UTF8.self).debugDescription
        #expect((ours == nil) == (reference == nil), "verdicts differ on \(text)", sourceLocation: sourceLocation)
        if let ours, let reference {
            #expect(ours == reference && ours.json() == reference.json() && ours.exeDeleted == reference.exeDeleted,
                    "values differ on \(text)", sourceLocation: sourceLocation)
        }
        let fast = bytes.withUnsafeBytes { AuditEntry.fastDecode($0) }
        switch fast {
        case .entry(let entry):
            #expect(reference != nil && entry.json() == reference?.json(), "fast path accepts \(text)", sourceLocation: sourceLocation)
        case .invalid:
            #expect(reference == nil, "fast path refuses \(text)", sourceLocation: sourceLocation)
        case .undecided:
            break
        }
        return fast
    }

    @Test("the writer's entries: decided by the fast path, the same values as JSONDecoder")
    func writtenShapes() {
        for entry in Self.written {
            let json = entry.json()
            let fast = Self.agree(json)
            guard case .entry(let decoded) = fast else {
                Issue.record("the fast path did not decide \(String(decoding: json, as: UTF8.self))")
                continue
            }
            #expect(decoded == entry && decoded.json() == json)
        }
    }

    @Test("malformed and odd entries: the same verdict and values as JSONDecoder")
    func malformedEntries() {
        for text in Self.malformed { Self.agree(Array(text.utf8)) }
        for bytes in Self.malformedBytes { Self.agree(bytes) }
        // What cannot be an object is refused without JSONDecoder.
        for text in ["x", "[]", "1", "\"s\"", "null"] {
            guard case .invalid = Array(text.utf8).withUnsafeBytes({ AuditEntry.fastDecode($0) }) else {
                Issue.record("the fast path left \(text) to JSONDecoder")
                continue
            }
        }
    }

    @Test("every one-byte change (removed, replaced, inserted) of the writer's entries: the same as JSONDecoder")
    func oneByteChanges() {
        let replacements: [UInt8] = [0x00, 0x20, 0x22, 0x2c, 0x2d, 0x2e, 0x30, 0x31, 0x3a, 0x5c, 0x5b, 0x7b, 0x7d, 0x65, 0x6e, 0x74, 0xff]
        for entry in Self.written.prefix(3) {
            let json = entry.json()
            for at in json.indices {
                var removed = json
                removed.remove(at: at)
                Self.agree(removed)
                for byte in replacements {
                    var replaced = json
                    replaced[at] = byte
                    Self.agree(replaced)
                    var inserted = json
                    inserted.insert(byte, at: at)
                    Self.agree(inserted)
                }
            }
        }
    }
}
