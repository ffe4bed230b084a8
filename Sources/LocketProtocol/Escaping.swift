/// JSON string escaping: the one escaper of answers, events and audit records.
public enum Escaping {
    /// How control characters (below U+0020, and U+007F) are written.
    public enum Controls: Sendable {
        /// `\n`, `\r` and `\t` short, the others `\u00XX` (answers and events).
        case short
        /// Always `\u00XX` (the audit log's records, whose bytes must not change).
        case unicode
    }

    /// Appends `text` as a JSON string literal (quotes included): `"` and `\`
    /// escaped, control characters as `controls` says, everything else as it is.
    public static func appendString(_ text: String, to out: inout [UInt8], controls: Controls = .short) {
        appendString(bytes: text.utf8, to: &out, controls: controls)
    }

    /// Appends UTF-8 `bytes` as a JSON string literal (quotes included), as `appendString(_:to:controls:)`.
    public static func appendString(bytes: some Sequence<UInt8>, to out: inout [UInt8], controls: Controls = .short) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a where controls == .short: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d where controls == .short: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09 where controls == .short: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0..<0x20, 0x7f:
                out.append(contentsOf: [0x5c, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xf)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A short, printable rendering of untrusted text for an error message.
    public static func printable(_ text: String, limit: Int) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
    }
}
