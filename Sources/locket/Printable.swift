/// Text from the daemon (program paths, unit names, namespaces, key names) made
/// safe for a terminal before a human table or message shows it.
///
/// A program can be named with terminal escape sequences (`ESC [ 2 K` erases
/// a line, `ESC [ A` moves up) or direction overrides that reorder what is
/// shown. Every C0 control (below U+0020), DEL, every C1 control (U+0080 to
/// U+009F, which some terminals read as CSI) and the Unicode bidirectional
/// controls are written as visible escapes instead: `\e` for ESC, `\t`, `\n`,
/// `\r`, `\\` for a backslash, and `\u{XXXX}` for the rest. Text without
/// them is returned unchanged.
enum Printable {
    /// `text` with its control characters written as visible escapes.
    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\u{1B}": out += "\\e"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            case _ where isControl(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\u{" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `text` shows differently after `escape` (a backslash alone does not count).
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        isControl(scalar)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F, 0x80...0x9F: true
        // Bidirectional embeddings, overrides and isolates; line and paragraph separators.
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C, 0x2028, 0x2029: true
        default: false
        }
    }
}
