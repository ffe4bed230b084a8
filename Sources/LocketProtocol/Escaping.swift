/// Where JSON text is written: a byte array, or guarded `SecretBytes` (a
/// request line carrying a passphrase). The one escaper writes to either.
public protocol JSONByteSink {
    mutating func append(_ byte: UInt8)
}

extension Array: JSONByteSink where Element == UInt8 {}

extension SecretBytes: JSONByteSink {}

/// The one JSON string escaper of the project (answers, requests, events, the
/// CLI's output, backups), and printable renderings of untrusted text.
public enum Escaping {
    /// How control characters (below U+0020, and U+007F) are written.
    public enum Controls: Sendable {
        /// `\n`, `\r` and `\t` by name, the others `\u00XX` (answers, requests, events).
        case short
        /// Always `\u00XX` (the audit log's records, whose bytes must not change).
        case unicode
    }

    /// Appends `text` as a JSON string literal (quotes included).
    public static func appendString(_ text: String, to out: inout [UInt8], controls: Controls = .short) {
        var text = text
        out.append(UInt8(ascii: "\""))
        text.withUTF8 { appendEscaped($0, to: &out, controls: controls) }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends UTF-8 `bytes` as a JSON string literal (quotes included).
    public static func appendString(bytes: some Sequence<UInt8>, to out: inout [UInt8], controls: Controls = .short) {
        out.append(UInt8(ascii: "\""))
        let done: Void? = bytes.withContiguousStorageIfAvailable { appendEscaped($0, to: &out, controls: controls) }
        if done == nil { appendEscaped(bytes, to: &out, controls: controls) }
        out.append(UInt8(ascii: "\""))
    }

    /// `appendEscaped` for contiguous bytes into an array, the path every answer,
    /// request and audit record takes: runs that need no escape are copied
    /// whole, and nothing is generic (no call per byte across modules).
    public static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], controls: Controls = .short) {
        var run = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7f else { continue }
            if run < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index])) }
            run = index + 1
            appendEscape(of: byte, to: &out, controls: controls)
        }
        if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
    }

    /// The escape sequence of one byte that needs one.
    private static func appendEscape(of byte: UInt8, to out: inout [UInt8], controls: Controls) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(0x5c); out.append(byte)
        case 0x0a where controls == .short: out.append(0x5c); out.append(UInt8(ascii: "n"))
        case 0x0d where controls == .short: out.append(0x5c); out.append(UInt8(ascii: "r"))
        case 0x09 where controls == .short: out.append(0x5c); out.append(UInt8(ascii: "t"))
        default:
            out.append(0x5c)
            out.append(UInt8(ascii: "u"))
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "0"))
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0xf))
        }
    }

    /// Appends the UTF-8 `bytes` escaped for the inside of a JSON string (no
    /// quotes): `"` and `\` backslashed, `\n` `\r` `\t` by name (with `.short`
    /// controls), every other control character and DEL as `\u00XX`; everything else as it is.
    public static func appendEscaped<Bytes: Sequence<UInt8>, Sink: JSONByteSink>(
        _ bytes: Bytes, to out: inout Sink, controls: Controls = .short
    ) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(0x5c)
                out.append(byte)
            case 0x0a where controls == .short: out.append(0x5c); out.append(UInt8(ascii: "n"))
            case 0x0d where controls == .short: out.append(0x5c); out.append(UInt8(ascii: "r"))
            case 0x09 where controls == .short: out.append(0x5c); out.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7f:
                out.append(0x5c)
                out.append(UInt8(ascii: "u"))
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xf))
            default: out.append(byte)
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// A short, printable rendering of untrusted text for an error message.
    public static func printable(_ text: String, limit: Int) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
    }
}
