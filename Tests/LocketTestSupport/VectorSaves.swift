import Foundation

/// The `"$save:NAME"` placeholder of the vector format (PROTOCOL.md, "Test
/// vectors"): a pattern string that matches any string and remembers it, and
/// the `${NAME}` references that later send steps replace with it. This is how
/// a vector uses a value only the daemon knows, such as a lease token.
public struct VectorSaves: Sendable {
    /// The prefix of a saving placeholder.
    public static let prefix = "$save:"

    /// Saved strings by name.
    public private(set) var values: [String: String] = [:]

    public init() {}

    /// Whether `name` is a valid NAME: ASCII letters, digits and `_`, at least one.
    public static func isValidName(_ name: Substring) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || $0 == 0x5f }
    }

    /// The NAMEs a pattern saves, in no particular order.
    public static func names(in pattern: Any) -> [String] {
        if let text = pattern as? String, text.hasPrefix(prefix) { return [String(text.dropFirst(prefix.count))] }
        if let array = pattern as? [Any] { return array.flatMap(names(in:)) }
        if let object = pattern as? [String: Any] { return object.values.flatMap(names(in:)) }
        return []
    }

    /// The `${NAME}` references in the bytes of a send step, in order; nil when
    /// a `${` is not closed by a valid NAME and `}`.
    public static func references(in bytes: [UInt8]) -> [String]? {
        var found: [String] = []
        var i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "$"), bytes[i + 1] == UInt8(ascii: "{") else { i += 1; continue }
            guard let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
            let name = String(decoding: bytes[(i + 2)..<close], as: UTF8.self)
            guard isValidName(Substring(name)) else { return nil }
            found.append(name)
            i = close + 1
        }
        return found
    }

    /// Remembers the strings that the saving placeholders of `pattern` matched
    /// in `line` (a response that matched the pattern).
    public mutating func record(pattern: Any, line: [UInt8]) {
        guard let actual = try? VectorPattern.parse(line) else { return }
        record(pattern, actual)
    }

    private mutating func record(_ pattern: Any, _ actual: Any) {
        if let text = pattern as? String, text.hasPrefix(Self.prefix), let value = actual as? String {
            values[String(text.dropFirst(Self.prefix.count))] = value
        } else if let array = pattern as? [Any], let other = actual as? [Any] {
            for (p, a) in zip(array, other) { record(p, a) }
        } else if let object = pattern as? [String: Any], let other = actual as? [String: Any] {
            for (name, p) in object { if let a = other[name] { record(p, a) } }
        }
    }

    /// `bytes` with every `${NAME}` replaced by the saved string's UTF-8 bytes.
    /// A reference to a name not saved (yet) stays as written.
    public func substitute(_ bytes: [UInt8]) -> [UInt8] {
        guard !values.isEmpty, bytes.contains(UInt8(ascii: "$")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "$"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{"),
               let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")),
               let value = values[String(decoding: bytes[(i + 2)..<close], as: UTF8.self)] {
                out.append(contentsOf: value.utf8)
                i = close + 1
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}
