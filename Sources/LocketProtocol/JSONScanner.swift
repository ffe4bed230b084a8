/// A validating JSON scanner over raw bytes, without recursion (so no input
/// can exhaust the stack) and with a depth limit. It checks a whole document
/// and reports the members of the top-level object with the byte range of each
/// value, so a request's `value` can be stored and echoed as the exact text
/// the client sent.
public struct JSONScanner {
    /// The JSON type of a value, from its first byte.
    public enum Kind: Sendable, Equatable {
        case object, array, string, number, bool, null
    }

    /// A member of the top-level object.
    public struct Member: Sendable {
        /// The member's name, unescaped.
        public let name: String
        public let kind: Kind
        /// Byte range of the value's text within the scanned bytes.
        public let range: Range<Int>
    }

    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var index = 0

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Scans `bytes` as one JSON object (surrounding whitespace allowed) and returns its members in order.
    /// Throws `bad_request` for anything else, with a message saying what and where.
    public static func members(of bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(ProtocolError) -> [Member] {
        var scanner = JSONScanner(bytes, maxDepth: maxDepth)
        return try scanner.topLevelObject()
    }

    /// Validates that `bytes` hold exactly one JSON value (any type).
    public static func validate(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(ProtocolError) {
        var scanner = JSONScanner(bytes, maxDepth: maxDepth)
        scanner.skipWhitespace()
        _ = try scanner.skipValue(depth: 0)
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw scanner.error("unexpected text after the JSON value") }
    }

    // MARK: - Grammar

    private mutating func topLevelObject() throws(ProtocolError) -> [Member] {
        skipWhitespace()
        guard index < bytes.count else { throw .bad("empty request") }
        guard bytes[index] == UInt8(ascii: "{") else {
            // Say "not an object" only for valid JSON of another type.
            let start = index
            _ = try skipValue(depth: 0)
            skipWhitespace()
            guard index == bytes.count else { throw error("unexpected text after the JSON value") }
            throw .bad("a request must be a JSON object, not \(Self.kindName(of: bytes[start]))")
        }
        index += 1
        var members: [Member] = []
        members.reserveCapacity(16) // one allocation for a request's or an audit entry's members
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw error("expected a member name") }
                let nameStart = index
                index = try skipString(from: index)
                let name = try Self.decodeString(bytes, nameStart..<index)
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
                index += 1
                skipWhitespace()
                guard index < bytes.count else { throw error("expected a value") }
                let kind = try kindAt(index)
                let start = index
                index = try skipValue(depth: 1)
                members.append(Member(name: name, kind: kind, range: start..<index))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { index += 1; continue }
                if peek == UInt8(ascii: "}") { index += 1; break }
                throw error("expected ',' or '}' in the request object")
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected text after the request object") }
        return members
    }

    /// Skips one value starting at `index` (which must be at its first byte) and
    /// returns the index just past it. Containers are tracked on an explicit stack.
    mutating func skipValue(depth: Int) throws(ProtocolError) -> Int {
        var stack: [UInt8] = []
        while true {
            // Expect a value here.
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            var closedValue = true
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let open = bytes[index]
                guard depth + stack.count + 1 <= maxDepth else {
                    throw .bad("nesting is deeper than \(maxDepth) levels")
                }
                stack.append(open)
                index += 1
                skipWhitespace()
                let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if peek == close {
                    index += 1
                    stack.removeLast()
                } else {
                    closedValue = false
                    if open == UInt8(ascii: "{") { try expectMemberName() }
                }
            case UInt8(ascii: "\""):
                index = try skipString(from: index)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                index = try skipNumber(from: index)
            case UInt8(ascii: "t"): try skipLiteral("true")
            case UInt8(ascii: "f"): try skipLiteral("false")
            case UInt8(ascii: "n"): try skipLiteral("null")
            default:
                throw error("expected a JSON value")
            }
            if !closedValue { continue }
            // After a value: close containers or move to the next element.
            while true {
                guard let top = stack.last else { return index }
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input") }
                let close = top == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if bytes[index] == close {
                    index += 1
                    stack.removeLast()
                    continue
                }
                guard bytes[index] == UInt8(ascii: ",") else {
                    throw error(top == UInt8(ascii: "{") ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
                }
                index += 1
                if top == UInt8(ascii: "{") { try expectMemberName() }
                break
            }
        }
    }

    private mutating func expectMemberName() throws(ProtocolError) {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw error("expected a member name") }
        index = try skipString(from: index)
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
        index += 1
    }

    private func skipString(from start: Int) throws(ProtocolError) -> Int {
        var i = start + 1
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { return i + 1 }
            if c < 0x20 { throw errorAt(i, "a control character inside a string must be escaped") }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { break }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < bytes.count, (2...5).allSatisfy({ Self.hexValue(bytes[i + $0]) != nil }) else {
                        throw errorAt(i, "\\u must be followed by 4 hex digits")
                    }
                    i += 6
                default:
                    throw errorAt(i, "invalid escape in a string")
                }
                continue
            }
            i += 1
        }
        throw errorAt(start, "unterminated string")
    }

    private func skipNumber(from start: Int) throws(ProtocolError) -> Int {
        var i = start
        func digits() -> Int {
            let from = i
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
            return i - from
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count else { throw errorAt(start, "invalid number") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            throw errorAt(start, "invalid number")
        }
        var isInteger = true
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            isInteger = false
            guard digits() > 0 else { throw errorAt(start, "invalid number: digits must follow '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            isInteger = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw errorAt(start, "invalid number: digits must follow the exponent") }
        }
        // Every number must be a finite double (1e400 is not); long integers are kept as text.
        if !isInteger || i - start > 15 {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else { throw errorAt(start, "number out of range") }
        }
        return i
    }

    private mutating func skipLiteral(_ literal: StaticString) throws(ProtocolError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count,
              memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0 else {
            throw error("expected a JSON value")
        }
        index += count
    }

    // MARK: - Helpers

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d: index += 1
            default: return
            }
        }
    }

    func kindAt(_ i: Int) throws(ProtocolError) -> Kind {
        switch bytes[i] {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        default: throw errorAt(i, "expected a JSON value")
        }
    }

    private static func kindName(of byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        default: "a number"
        }
    }

    func error(_ message: String) -> ProtocolError { errorAt(index, message) }

    private func errorAt(_ offset: Int, _ message: String) -> ProtocolError {
        .bad("invalid JSON at byte \(offset): \(message)")
    }

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Decodes a scanned string token (quotes included) into bytes; lone surrogates are refused.
    public static func decodeStringBytes(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) throws(ProtocolError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound + 1
        let end = range.upperBound - 1
        func hex4(_ at: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 << 4 | hexValue(bytes[at + $1])! }
        }
        while i < end {
            let c = bytes[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 6 <= end, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw .bad("a string contains an unpaired surrogate escape")
                    }
                    let low = hex4(i + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw .bad("a string contains an unpaired surrogate escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw .bad("a string contains an unpaired surrogate escape")
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default: out.append(e)
            }
        }
        return out
    }

    /// Decodes a scanned string token into a String.
    public static func decodeString(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) throws(ProtocolError) -> String {
        // Without escapes the text is read in place (no copy).
        let inner = UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
        if !inner.contains(UInt8(ascii: "\\")) {
            guard let text = UTF8Text.decode(inner) else { throw .bad("a string is not valid UTF-8") }
            return text
        }
        let decoded = try decodeStringBytes(bytes, range)
        guard let text = UTF8Text.decode(decoded) else { throw .bad("a string is not valid UTF-8") }
        return text
    }
}

#if canImport(Glibc)
import Glibc
#endif
