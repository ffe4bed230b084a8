#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol

/// Reading a record's entry JSON without Foundation's `JSONDecoder` (its set-up
/// and coding-path bookkeeping cost more than the rest of a record), with
/// `JSONDecoder`'s verdict and values on every input.
///
/// The shapes the writer writes (`AuditEntry.json`: known members, strings,
/// plain integers, `true`) and input that cannot be a JSON object (its first
/// byte is no `{`, whitespace, byte order mark or UTF-16/32 start) are decided
/// here; anything else (unknown or repeated members, nested values, numbers
/// with a fraction or exponent, integers past the field's range, a syntax error
/// after a `{`) goes to `JSONDecoder`, so no edge case of its rules is guessed.
extension AuditEntry {
    /// The entry coded in `json`, or nil where `JSONDecoder` refuses it.
    static func decode(json: UnsafeRawBufferPointer) -> AuditEntry? {
        switch fastDecode(json) {
        case .entry(let entry): return entry
        case .invalid: return nil
        case .undecided: return try? JSONDecoder().decode(AuditEntry.self, from: Data(json))
        }
    }

    /// What the fast path decided.
    enum FastDecoding {
        case entry(AuditEntry)
        /// `JSONDecoder` refuses it too.
        case invalid
        /// Left to `JSONDecoder`.
        case undecided
    }

    /// Decides the writer's shapes and what cannot be an object; `.undecided` for the rest.
    static func fastDecode(_ json: UnsafeRawBufferPointer) -> FastDecoding {
        guard let first = json.first else { return .invalid }
        switch first {
        case UInt8(ascii: "{"), 0x20, 0x09, 0x0a, 0x0d, 0x00, 0xef, 0xfe, 0xff:
            break
        default:
            // UTF-8 (no byte order mark, no NUL in the first two bytes as UTF-16/32 has) and no object.
            if json.count < 2 || json[1] != 0 { return .invalid }
            return .undecided
        }
        guard first == UInt8(ascii: "{"),
              let members = try? JSONScanner.members(of: json, maxDepth: 2) else { return .undecided }
        // Unknown or repeated members: which value `JSONDecoder` takes is its own rule.
        var seen: UInt32 = 0
        for member in members {
            guard let bit = Fields.names.firstIndex(of: member.name), seen & 1 << bit == 0 else { return .undecided }
            seen |= 1 << bit
        }
        var fields = Fields()
        for member in members {
            switch fields.take(member, in: json) {
            case .taken: continue
            case .invalid: return .invalid
            case .undecided: return .undecided
            }
        }
        return fields.finished().map { .entry($0) } ?? .invalid
    }

    /// The members read so far.
    private struct Fields {
        var time: Int64?
        var op: String?
        var outcome: String?
        var pid: Int32?
        var uid: UInt32?
        /// The optional members, in an entry whose required ones are filled in by `finished()`.
        var partial = AuditEntry(time: 0, op: "", ns: nil, key: nil, outcome: "", exe: nil, exeDeleted: false,
                               pid: 0, uid: 0, unit: nil)

        /// Every member `AuditEntry.CodingKeys` names.
        static let names = ["t", "op", "ns", "kh", "k", "out", "exe", "exe_deleted", "pid", "uid", "unit",
                            "fp", "snap", "lsm", "tgt", "n"]

        enum Step { case taken, invalid, undecided }

        /// Takes one member (known, not repeated).
        mutating func take(_ member: JSONScanner.Member, in json: UnsafeRawBufferPointer) -> Step {
            let name = member.name
            switch name {
            case "t", "pid", "uid", "n":
                if member.kind == .null { return name == "n" ? .taken : .invalid }
                guard member.kind == .number else { return .invalid }
                guard let value = Self.integer(json, member.range) else { return .undecided }
                switch name {
                case "t": time = value
                case "pid":
                    guard let pid = Int32(exactly: value) else { return .undecided }
                    self.pid = pid
                case "uid":
                    guard let uid = UInt32(exactly: value) else { return .undecided }
                    self.uid = uid
                default:
                    guard let count = Int(exactly: value) else { return .undecided }
                    partial.count = count
                }
            case "exe_deleted":
                switch member.kind {
                case .null: break
                case .bool: partial.exeDeleted = json[member.range.lowerBound] == UInt8(ascii: "t")
                default: return .invalid
                }
            case "op", "out", "ns", "kh", "k", "exe", "unit", "fp", "snap", "lsm", "tgt":
                let required = name == "op" || name == "out"
                if member.kind == .null { return required ? .invalid : .taken }
                guard member.kind == .string else { return .invalid }
                guard let text = try? JSONScanner.decodeString(json, member.range) else { return .undecided }
                switch name {
                case "op": op = text
                case "out": outcome = text
                case "ns": partial.ns = text
                case "kh": partial.keyHash = text
                case "k": partial.key = text
                case "exe": partial.exe = text
                case "unit": partial.unit = text
                case "fp": partial.flatpak = text
                case "snap": partial.snap = text
                case "lsm": partial.label = text
                default: partial.target = text
                }
            default:
                return .undecided
            }
            return .taken
        }

        /// The entry, if every required member was there.
        func finished() -> AuditEntry? {
            guard let time, let op, let outcome, let pid, let uid else { return nil }
            var entry = partial
            entry.time = time
            entry.op = op
            entry.outcome = outcome
            entry.pid = pid
            entry.uid = uid
            return entry
        }

        /// A plain integer (`-?[0-9]+`, at most 18 digits, not `-0`); nil for anything else.
        static func integer(_ json: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64? {
            var i = range.lowerBound
            let negative = json[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            guard range.upperBound - i <= 18, i < range.upperBound else { return nil }
            var value: Int64 = 0
            while i < range.upperBound {
                let digit = json[i] &- UInt8(ascii: "0")
                guard digit <= 9 else { return nil }
                value = value * 10 + Int64(digit)
                i += 1
            }
            guard !(negative && value == 0) else { return nil } // "-0": left to JSONDecoder
            return negative ? -value : value
        }
    }
}
