#if canImport(Glibc)
import Glibc
#endif
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
        return sameBytes(text, units) ? text : nil
    }

    /// Whether `text`'s UTF-8 bytes are exactly `units`: one `memcmp` over the
    /// string's own storage (native and small strings have it), not a walk of
    /// its `utf8` view byte by byte (`elementsEqual`, ~1 % of the daemon's CPU
    /// per `get`, on the request's names and the record's).
    public static func sameBytes(_ text: String, _ units: UnsafeBufferPointer<UInt8>) -> Bool {
        if let same = text.utf8.withContiguousStorageIfAvailable({ stored in
            stored.count == units.count && (units.isEmpty || memcmp(stored.baseAddress!, units.baseAddress!, units.count) == 0)
        }) {
            return same
        }
        return text.utf8.elementsEqual(units)
    }

    /// Whether two strings have exactly the same UTF-8 bytes (not `==`, which
    /// equates canonically equivalent text such as `"é"` and `"e\u{301}"`).
    public static func sameBytes(_ a: String, _ b: String) -> Bool {
        if let same = b.utf8.withContiguousStorageIfAvailable({ sameBytes(a, $0) }) {
            return same
        }
        return a.utf8.elementsEqual(b.utf8)
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
