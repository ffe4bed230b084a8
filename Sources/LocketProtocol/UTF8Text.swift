/// Strict UTF-8 decoding without the generic `String(validating:as:)`, whose
/// unspecialized path looks up generic metadata at run time on every call (it
/// showed as ~3 % of the daemon's CPU under `get` load, on every string of
/// every request).
public enum UTF8Text {
    /// The text of `bytes` if they are well-formed UTF-8, else nil.
    ///
    /// `String(decoding:as:)` replaces each ill-formed sequence with U+FFFD
    /// (`EF BF BD`), never with the bytes it replaced, so the decoded text's
    /// bytes equal the input exactly when the input is well-formed.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> String? {
        let units = bytes.bindMemory(to: UInt8.self)
        let text = String(decoding: units, as: UTF8.self)
        return text.utf8.elementsEqual(units) ? text : nil
    }

    /// The text of `bytes` if they are well-formed UTF-8, else nil.
    public static func decode(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// Whether `bytes` are well-formed UTF-8 (ASCII is checked without decoding).
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !bytes.contains(where: { $0 >= 0x80 }) { return true }
        return decode(bytes) != nil
    }
}
