import Foundation

/// One protocol test vector from `Protocol/vectors/NAME.vector`: a fixed
/// conversation with a daemon on a fresh, empty, unlocked vault. The format is
/// described in `Protocol/PROTOCOL.md` ("Test vectors"); this parser is strict,
/// so a typo in a vector fails loudly instead of testing less.
public struct ProtocolVector: Sendable {
    /// What a vector needs from the runner beyond the default set-up.
    public enum Requirement: String, Sendable, CaseIterable {
        /// Start from an empty, unlocked vault (what every runner does anyway).
        case freshVault = "fresh-vault"
    }

    /// One line of the conversation.
    public struct Step: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// Write these bytes to the socket as they are (a `>` line already has its "\n").
            case send([UInt8])
            /// The next response line must match this pattern, given as JSON text.
            case expect(String)
            /// Shut down the sending side (`>eof`): the daemon answers every
            /// complete line, then closes. Nothing is sent after it.
            case endOfInput
        }

        public let kind: Kind
        /// Line number in the vector file, for messages.
        public let line: Int
    }

    /// The file name without `.vector`.
    public let name: String
    /// The `comment:` header: what the vector checks.
    public let comment: String
    public let requires: [Requirement]
    public let steps: [Step]

    /// The header keys a vector may use. Any other key is an error.
    public static let headerKeys: Set<String> = ["comment", "requires"]

    /// The expected patterns, in order, parsed.
    public func patterns() throws -> [Any] {
        try steps.compactMap { step in
            guard case .expect(let text) = step.kind else { return nil }
            return try VectorPattern.parse(text)
        }
    }

    /// Whether the vector ends by shutting down its sending side (`>eof`).
    public var endsInput: Bool {
        steps.contains { $0.kind == .endOfInput }
    }

    /// Every byte the vector sends, concatenated in order.
    public var sentBytes: [UInt8] {
        steps.flatMap { step -> [UInt8] in
            if case .send(let bytes) = step.kind { return bytes }
            return []
        }
    }

    // MARK: - Loading

    /// `Protocol/vectors` of this repository, found from this source file's path.
    public static var repositoryFolder: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()   // LocketTestSupport
            .deletingLastPathComponent()   // Tests
            .deletingLastPathComponent()   // repository root
            .appendingPathComponent("Protocol/vectors").path
    }

    /// Every `*.vector` file in `folder`, sorted by name. Throws on the first
    /// malformed vector, and when the folder holds none (a moved folder must not pass silently).
    public static func loadAll(from folder: String = repositoryFolder) throws -> [ProtocolVector] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".vector") }
            .sorted()
        guard !names.isEmpty else { throw VectorError(file: folder, line: nil, message: "no .vector files in this folder") }
        return try names.map { try load(path: "\(folder)/\($0)") }
    }

    /// Loads one vector file.
    public static func load(path: String) throws -> ProtocolVector {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VectorError(file: path, line: nil, message: "cannot read the file")
        }
        let file = URL(fileURLWithPath: path).lastPathComponent
        let name = file.hasSuffix(".vector") ? String(file.dropLast(".vector".count)) : file
        return try parse(Array(data), name: name)
    }

    /// Parses the text of one vector.
    public static func parse(_ bytes: [UInt8], name: String) throws -> ProtocolVector {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw VectorError(file: name, line: nil, message: "a vector file must be UTF-8 (use \\xHH in a >raw step for other bytes)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        func fail(_ index: Int, _ message: String) -> VectorError {
            VectorError(file: name, line: index + 1, message: message)
        }

        // Header: `key: value` lines up to the first blank line.
        var index = 0
        var headers: [String: String] = [:]
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            if line.contains("\r") { throw fail(index, "carriage return in the file; write \\r in a >raw step instead") }
            if line.hasPrefix("#") { index += 1; continue }
            guard let colon = line.firstIndex(of: ":") else { throw fail(index, "a header line is `key: value`") }
            let key = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard headerKeys.contains(key) else {
                throw fail(index, "unknown header key \"\(key)\" (allowed: \(headerKeys.sorted().joined(separator: ", ")))")
            }
            guard headers[key] == nil else { throw fail(index, "header \"\(key)\" appears twice") }
            guard !value.isEmpty else { throw fail(index, "header \"\(key)\" is empty") }
            headers[key] = value
            index += 1
        }
        guard let comment = headers["comment"] else {
            throw VectorError(file: name, line: nil, message: "missing the required header \"comment\"")
        }
        var requires: [Requirement] = []
        if let value = headers["requires"] {
            for word in value.split(separator: " ") {
                guard let requirement = Requirement(rawValue: String(word)) else {
                    throw VectorError(file: name, line: nil, message: "unknown requirement \"\(word)\"")
                }
                requires.append(requirement)
            }
        }
        guard index < lines.count else { throw VectorError(file: name, line: nil, message: "no blank line and steps after the header") }

        // Steps.
        var steps: [Step] = []
        var linesSent = 0
        var expected = 0
        var inputEnded = false
        var saved: Set<String> = []
        for i in (index + 1)..<lines.count {
            let line = lines[i]
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.contains("\r") { throw fail(i, "carriage return in the file; write \\r in a >raw step instead") }
            if line.hasPrefix(">"), inputEnded { throw fail(i, "nothing can be sent after >eof") }
            if line == ">eof" {
                inputEnded = true
                steps.append(Step(kind: .endOfInput, line: i + 1))
            } else if line.hasPrefix(">raw ") {
                let bytes = try decodeRaw(String(line.dropFirst(5)), line: i + 1, file: name)
                guard !bytes.isEmpty else { throw fail(i, "empty >raw step") }
                linesSent += bytes.count(where: { $0 == 0x0a })
                try checkReferences(bytes, saved: saved, fail: { fail(i, $0) })
                steps.append(Step(kind: .send(bytes), line: i + 1))
            } else if line.hasPrefix("> ") {
                let bytes = Array(line.dropFirst(2).utf8) + [0x0a]
                try checkReferences(bytes, saved: saved, fail: { fail(i, $0) })
                linesSent += 1
                steps.append(Step(kind: .send(bytes), line: i + 1))
            } else if line.hasPrefix("< ") {
                let patternText = String(line.dropFirst(2))
                let pattern: Any
                do {
                    pattern = try VectorPattern.parse(patternText)
                    try VectorPattern.check(pattern)
                } catch {
                    throw fail(i, "bad pattern: \(error)")
                }
                for name in VectorSaves.names(in: pattern) {
                    guard saved.insert(name).inserted else { throw fail(i, "\"$save:\(name)\" saves a name already saved") }
                }
                expected += 1
                guard expected <= linesSent else {
                    throw fail(i, "expects response \(expected) but only \(linesSent) complete request lines were sent")
                }
                steps.append(Step(kind: .expect(patternText), line: i + 1))
            } else {
                throw fail(i, "a step starts with \"> \", \">raw \" or \"< \", or is \">eof\" (or \"#\" for a comment)")
            }
        }
        guard expected > 0 else { throw VectorError(file: name, line: nil, message: "a vector needs at least one \"<\" step") }
        guard expected == linesSent else {
            throw VectorError(file: name, line: nil,
                              message: "\(linesSent) request lines are sent but \(expected) responses expected; every line gets exactly one")
        }
        return ProtocolVector(name: name, comment: comment, requires: requires, steps: steps)
    }

    /// Every `${NAME}` of a send step must name a string saved by an earlier `"$save:NAME"`.
    static func checkReferences(_ bytes: [UInt8], saved: Set<String>, fail: (String) -> VectorError) throws {
        guard let names = VectorSaves.references(in: bytes) else { throw fail("a ${ in a send step must be ${NAME} (NAME: letters, digits, _)") }
        if let unknown = names.first(where: { !saved.contains($0) }) {
            throw fail("${\(unknown)} is not saved by an earlier \"$save:\(unknown)\"")
        }
    }

    /// Decodes a `>raw` step: `\n`, `\r`, `\t`, `\\` and `\xHH`; every other byte as written (UTF-8).
    static func decodeRaw(_ text: String, line: Int, file: String) throws -> [UInt8] {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < input.count {
            guard input[i] == UInt8(ascii: "\\") else { out.append(input[i]); i += 1; continue }
            guard i + 1 < input.count else { throw VectorError(file: file, line: line, message: "a >raw step ends with a lone backslash") }
            switch input[i + 1] {
            case UInt8(ascii: "n"): out.append(0x0a); i += 2
            case UInt8(ascii: "r"): out.append(0x0d); i += 2
            case UInt8(ascii: "t"): out.append(0x09); i += 2
            case UInt8(ascii: "\\"): out.append(0x5c); i += 2
            case UInt8(ascii: "x"):
                guard i + 3 < input.count, let value = UInt8(String(decoding: input[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) else {
                    throw VectorError(file: file, line: line, message: "\\x must be followed by two hex digits")
                }
                out.append(value)
                i += 4
            default:
                throw VectorError(file: file, line: line,
                                  message: "unknown escape \\\(Character(Unicode.Scalar(input[i + 1]))) in a >raw step (allowed: \\n \\r \\t \\\\ \\xHH)")
            }
        }
        return out
    }
}

/// A malformed vector: which file, which line, what is wrong.
public struct VectorError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let message: String

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

/// Matching of response lines against vector patterns.
///
/// A pattern is JSON. Objects must have exactly the same member names, arrays
/// the same length and order. Strings are compared exactly, except the
/// placeholders below; a pattern string meant to start with `$` is written
/// with `$$`. Integers compare as their text (so 2^53+1 is not 2^53); other
/// numbers compare as doubles. Booleans never match numbers.
public enum VectorPattern {
    /// The placeholders a pattern may use.
    public static let placeholders: Set<String> = ["$any", "$string", "$int", "$timestamp", "$timestamp-or-null"]

    /// Parses JSON text (a pattern or a response line) the way the matcher expects it.
    public static func parse(_ text: String) throws -> Any {
        try parse(Array(text.utf8))
    }

    /// Parses JSON bytes (a response line, its "\n" allowed).
    public static func parse(_ bytes: [UInt8]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// Throws if `pattern` uses a `$` string that is not a known placeholder.
    public static func check(_ pattern: Any) throws {
        if let text = pattern as? String {
            if text.hasPrefix(VectorSaves.prefix), VectorSaves.isValidName(text.dropFirst(VectorSaves.prefix.count)) { return }
            if text.hasPrefix("$"), !text.hasPrefix("$$"), !placeholders.contains(text) {
                throw VectorError(file: "pattern", line: nil,
                                  message: "unknown placeholder \"\(text)\" (known: \(placeholders.sorted().joined(separator: ", ")); write $$ for a literal $)")
            }
        } else if let array = pattern as? [Any] {
            try array.forEach(check)
        } else if let object = pattern as? [String: Any] {
            try object.values.forEach(check)
        }
    }

    /// Matches a response line (JSON bytes) against `pattern`; nil on a match.
    public static func matches(pattern: Any, line: [UInt8]) -> String? {
        guard let actual = try? parse(line) else {
            return "the response is not JSON: \(String(decoding: line.prefix(200), as: UTF8.self))"
        }
        return matches(pattern: pattern, actual: actual)
    }

    /// Matches parsed JSON (from `JSONSerialization`) against `pattern`: nil on
    /// a match, else a description of the first mismatch with its path.
    public static func matches(pattern: Any, actual: Any) -> String? {
        match(pattern, actual, path: "$")
    }

    private static func match(_ pattern: Any, _ actual: Any, path: String) -> String? {
        func mismatch(_ what: String) -> String { "at \(path): expected \(what), got \(render(actual))" }

        if let text = pattern as? String {
            switch text {
            case "$any": return nil
            case "$string": return actual is String ? nil : mismatch("a string")
            case "$int": return isInteger(actual) ? nil : mismatch("an integer")
            case "$timestamp":
                return (actual as? String).map(isTimestamp) == true ? nil : mismatch("an RFC 3339 UTC timestamp")
            case "$timestamp-or-null":
                if actual is NSNull { return nil }
                return (actual as? String).map(isTimestamp) == true ? nil : mismatch("an RFC 3339 UTC timestamp or null")
            case _ where text.hasPrefix(VectorSaves.prefix):
                return actual is String ? nil : mismatch("a string (to save)")
            default:
                let literal = text.hasPrefix("$$") ? String(text.dropFirst()) : text
                return (actual as? String) == literal ? nil : mismatch(render(literal))
            }
        }
        if pattern is NSNull { return actual is NSNull ? nil : mismatch("null") }
        if let number = pattern as? NSNumber {
            if isBoolean(number) {
                guard let other = actual as? NSNumber, isBoolean(other) else { return mismatch(render(pattern)) }
                return other.boolValue == number.boolValue ? nil : mismatch(render(pattern))
            }
            guard let other = actual as? NSNumber, !isBoolean(other) else { return mismatch(render(pattern)) }
            if isInteger(number), isInteger(other) {
                return number.stringValue == other.stringValue ? nil : mismatch(render(pattern))
            }
            return number.doubleValue == other.doubleValue ? nil : mismatch(render(pattern))
        }
        if let array = pattern as? [Any] {
            guard let other = actual as? [Any] else { return mismatch("an array") }
            guard array.count == other.count else { return mismatch("an array of \(array.count) elements") }
            for (i, (p, a)) in zip(array, other).enumerated() {
                if let problem = match(p, a, path: "\(path)[\(i)]") { return problem }
            }
            return nil
        }
        if let object = pattern as? [String: Any] {
            guard let other = actual as? [String: Any] else { return mismatch("an object") }
            if let missing = Set(object.keys).subtracting(other.keys).sorted().first {
                return "at \(path): member \"\(missing)\" is missing in \(render(actual))"
            }
            if let extra = Set(other.keys).subtracting(object.keys).sorted().first {
                return "at \(path): unexpected member \"\(extra)\" in \(render(actual))"
            }
            for name in object.keys.sorted() {
                if let problem = match(object[name]!, other[name]!, path: "\(path).\(name)") { return problem }
            }
            return nil
        }
        return "at \(path): the pattern holds a value that is not JSON (\(type(of: pattern)))"
    }

    /// Whether `value` is a JSON boolean as `JSONSerialization` returns it.
    /// Booleans come back as NSNumber; only their `objCType` ("c") tells them from 0 and 1.
    public static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    /// Whether `value` is a JSON number written as an integer (no fraction, no exponent).
    public static func isInteger(_ value: Any) -> Bool {
        guard let number = value as? NSNumber, !isBoolean(number) else { return false }
        if let decimal = number as? NSDecimalNumber {
            return !decimal.stringValue.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        }
        return ["s", "i", "l", "q", "S", "I", "L", "Q"].contains(String(cString: number.objCType))
    }

    /// Whether `text` is `YYYY-MM-DDTHH:MM:SSZ`, a real date and time, in UTC.
    public static func isTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let shape = Array("dddd-dd-ddTdd:dd:ddZ".utf8)
        guard bytes.count == shape.count else { return false }
        for (b, s) in zip(bytes, shape) {
            if s == UInt8(ascii: "d") {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return false }
            } else if b != s {
                return false
            }
        }
        func number(_ range: Range<Int>) -> Int { Int(String(decoding: bytes[range], as: UTF8.self))! }
        let (year, month, day) = (number(0..<4), number(5..<7), number(8..<10))
        let (hour, minute, second) = (number(11..<13), number(14..<16), number(17..<19))
        guard (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    private static func render(_ value: Any) -> String {
        if let text = value as? String { return "\"\(text.prefix(80))\"" }
        if let number = value as? NSNumber { return isBoolean(number) ? (number.boolValue ? "true" : "false") : number.stringValue }
        if value is NSNull { return "null" }
        if JSONSerialization.isValidJSONObject(value),
           let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
            return String(decoding: data.prefix(200), as: UTF8.self)
        }
        return "\(value)"
    }
}
