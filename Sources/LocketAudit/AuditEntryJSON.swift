import LocketProtocol

extension AuditEntry {
    /// The compact JSON of the entry, as `Codable` reads it back, written by
    /// hand into one buffer: Foundation's encoder cost several times more per
    /// entry, and so did appending `String` views and `String(number)` (a fifth
    /// of the audit writer's time under load, BENCHMARKS.md stop 21). The bytes
    /// are fixed: records written before read the same (`AuditEntryJSONTests`).
    func json() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + (exe?.utf8.count ?? 0) + (ns?.utf8.count ?? 0) + (target?.utf8.count ?? 0))
        Self.raw(&out, #"{"t":"#)
        Self.integer(&out, time)
        Self.member(&out, #","op":"#, op)
        if let ns { Self.member(&out, #","ns":"#, ns) }
        if let keyHash { Self.member(&out, #","kh":"#, keyHash) }
        if let key { Self.member(&out, #","k":"#, key) }
        Self.member(&out, #","out":"#, outcome)
        if let exe { Self.member(&out, #","exe":"#, exe) }
        if exeDeleted == true { Self.raw(&out, #","exe_deleted":true"#) }
        Self.raw(&out, #","pid":"#)
        Self.integer(&out, Int64(pid))
        Self.raw(&out, #","uid":"#)
        Self.integer(&out, Int64(uid))
        if let unit { Self.member(&out, #","unit":"#, unit) }
        if let flatpak { Self.member(&out, #","fp":"#, flatpak) }
        if let snap { Self.member(&out, #","snap":"#, snap) }
        if let label { Self.member(&out, #","lsm":"#, label) }
        if let target { Self.member(&out, #","tgt":"#, target) }
        if let count {
            Self.raw(&out, #","n":"#)
            Self.integer(&out, Int64(count))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `,"name":` then `value` as a JSON string. Control characters always as
    /// `\u00XX`: the bytes of records written before stay the bytes written now.
    private static func member(_ out: inout [UInt8], _ prefix: StaticString, _ value: String) {
        raw(&out, prefix)
        Escaping.appendString(value, to: &out, controls: .unicode)
    }

    /// Appends `text`'s bytes as they are.
    private static func raw(_ out: inout [UInt8], _ text: StaticString) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal, as `String(value)` spells it.
    static func integer(_ out: inout [UInt8], _ value: Int64) {
        JSONWriter.appendDecimal(Int(value), to: &out)
    }
}
