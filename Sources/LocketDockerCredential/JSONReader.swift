/// A small strict JSON reader for one object's members (RFC 8259), without
/// Foundation (a helper runs once per docker command: start-up matters).
/// Members whose value is not a string are kept only as their kind.
struct JSONReader {
    /// A member's value, as far as the helper cares.
    enum Scalar: Equatable {
        case string(String)
        case null
        /// A number, boolean, array or object: its kind, for the error message.
        case other(String)
    }

    /// Why the text is not JSON.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Nesting deeper than this is refused (nothing docker sends nests at all).
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The members of the first JSON value, which must be an object; what follows it is not read (as Go's decoder).
    mutating func readObjectMembers() throws(Failure) -> [(String, Scalar)] {
        skipSpace()
        guard index < bytes.count else { throw Failure(description: "no input") }
        guard bytes[index] == UInt8(ascii: "{") else {
            let kind = try readValue(depth: 0)
            throw Failure(description: "a \(kind.kind) where an object was expected")
        }
        index += 1
        var members: [(String, Scalar)] = []
        skipSpace()
        if peek() == UInt8(ascii: "}") { index += 1; return members }
        while true {
            skipSpace()
            guard peek() == UInt8(ascii: "\"") else { throw failure("a member name") }
            let name = try readString()
            skipSpace()
            guard peek() == UInt8(ascii: ":") else { throw failure("':'") }
            index += 1
            members.append((name, try readValue(depth: 1)))
            skipSpace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return members
            default: throw failure("',' or '}'")
            }
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func failure(_ expected: String) -> Failure {
        guard let byte = peek() else { return Failure(description: "unexpected end of input, expected \(expected)") }
        return Failure(description: "unexpected character \(Self.show(byte)) at offset \(index), expected \(expected)")
    }

    private static func show(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16)
    }

    private mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func readValue(depth: Int) throws(Failure) -> Scalar {
        guard depth <= Self.maximumDepth else { throw Failure(description: "nested deeper than \(Self.maximumDepth) levels") }
        skipSpace()
        switch peek() {
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "{"): try skipContainer(close: UInt8(ascii: "}"), depth: depth, members: true); return .other("object")
        case UInt8(ascii: "["): try skipContainer(close: UInt8(ascii: "]"), depth: depth, members: false); return .other("array")
        case UInt8(ascii: "t"): try literal("true"); return .other("boolean")
        case UInt8(ascii: "f"): try literal("false"); return .other("boolean")
        case UInt8(ascii: "n"): try literal("null"); return .null
        case let byte? where byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39): try skipNumber(); return .other("number")
        default: throw failure("a value")
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        for byte in word.utf8 {
            guard peek() == byte else { throw failure("'\(word)'") }
            index += 1
        }
    }

    private mutating func skipContainer(close: UInt8, depth: Int, members: Bool) throws(Failure) {
        index += 1
        skipSpace()
        if peek() == close { index += 1; return }
        while true {
            if members {
                skipSpace()
                guard peek() == UInt8(ascii: "\"") else { throw failure("a member name") }
                _ = try readString()
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw failure("':'") }
                index += 1
            }
            _ = try readValue(depth: depth + 1)
            skipSpace()
            if peek() == UInt8(ascii: ",") { index += 1; continue }
            guard peek() == close else { throw failure("',' or '\(Character(Unicode.Scalar(close)))'") }
            index += 1
            return
        }
    }

    private mutating func skipNumber() throws(Failure) {
        func digits() -> Int {
            let start = index
            while let byte = peek(), byte >= 0x30 && byte <= 0x39 { index += 1 }
            return index - start
        }
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") { index += 1 } else if digits() == 0 { throw failure("a digit") }
        if peek() == UInt8(ascii: ".") { index += 1; guard digits() > 0 else { throw failure("a digit") } }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw failure("a digit") }
        }
    }

    /// A string at `index` (its opening quote); invalid UTF-8 and lone surrogates become U+FFFD, as in Go.
    private mutating func readString() throws(Failure) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw failure("'\"'") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case 0x00..<0x20:
                index -= 1
                throw failure("no control character in a string")
            case UInt8(ascii: "\\"):
                guard let escape = peek() else { throw failure("an escape") }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out += Array(String(try readUnicodeEscape()).utf8)
                default: index -= 1; throw failure("an escape")
                }
            default:
                out.append(byte)
            }
        }
    }

    /// The scalar of `\uXXXX` (after the `u`), joining a surrogate pair.
    private mutating func readUnicodeEscape() throws(Failure) -> Unicode.Scalar {
        let first = try readHex4()
        if (0xD800..<0xDC00).contains(first), peek() == UInt8(ascii: "\\"),
           index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") {
            let saved = index
            index += 2
            let second = try readHex4()
            if (0xDC00..<0xE000).contains(second) {
                return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
            }
            index = saved
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw failure("a hex digit") }
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw failure("a hex digit")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

extension JSONReader.Scalar {
    var kind: String {
        switch self {
        case .string: "string"
        case .null: "null"
        case .other(let kind): kind
        }
    }
}
