/// A string compared and hashed by its UTF-8 bytes, for dictionary keys where
/// names must match exactly as they are hashed and stored. A `String` key would
/// not do: `String` equality is Unicode canonical equivalence, so `"é"` (U+00E9)
/// and `"e\u{301}"` would be one key while Locket treats them as two names.
public struct ExactText: Hashable, Sendable {
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    public static func == (lhs: ExactText, rhs: ExactText) -> Bool {
        UTF8Text.sameBytes(lhs.text, rhs.text)
    }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
