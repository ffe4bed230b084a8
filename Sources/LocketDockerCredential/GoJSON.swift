/// JSON text as Go's `encoding/json` writes it (HTML-safe escaping on, its default).
enum GoJSON {
    private static let hex = Array("0123456789abcdef".utf8)

    /// A quoted JSON string: `"` and `\` escaped, control characters as `\n`,
    /// `\r`, `\t`, `\b`, `\f` or `\u00XX`, `<` `>` `&` and U+2028/U+2029 as
    /// `\uXXXX`; everything else as UTF-8.
    static func string(_ text: String) -> String {
        var out: [UInt8] = [0x22]
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x00..<0x20, 0x3C, 0x3E, 0x26, 0x2028, 0x2029:
                let value = scalar.value
                out += Array("\\u".utf8) + [hex[Int(value >> 12) & 15], hex[Int(value >> 8) & 15],
                                            hex[Int(value >> 4) & 15], hex[Int(value) & 15]]
            default:
                out += Array(String(scalar).utf8)
            }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    /// A member name folded as Go matches names to fields without regard to
    /// case (ASCII letters, and the two letters that fold to ASCII: `ſ` to `s`, the Kelvin sign to `k`).
    static func fold(_ name: String) -> String {
        var folded = ""
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: folded.unicodeScalars.append(Unicode.Scalar(scalar.value + 0x20)!)
            case 0x017F: folded += "s"
            case 0x212A: folded += "k"
            default: folded.unicodeScalars.append(scalar)
            }
        }
        return folded
    }
}
