#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The members of one JSON object read from the daemon (an answer line, an
/// event line, or an object nested in one), by name, with typed access. The
/// typed answers' decoders read through it.
public struct AnswerReader: Sendable {
    /// The object's text as received.
    public let bytes: [UInt8]
    /// The members by name (the last one wins, should a name repeat).
    public var members: [String: JSONScanner.Member] {
        Dictionary(index.all.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }
    /// The lookups: an answer has a handful of members, so a linear search, not
    /// a hash table built per answer (hashing the names was ~15 % of a client's
    /// user time per `get`, BENCHMARKS.md, stop 23).
    private let index: MemberIndex

    /// Deep enough for any answer (a stored value nests up to the request limit, 128).
    static let maxDepth = ProtocolLimits.maxAnswerDepth

    /// Scans `bytes` as one JSON object; `.malformed` for anything else.
    public init(_ bytes: [UInt8]) throws(AnswerError) {
        self.bytes = bytes
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ProtocolError) in try JSONScanner.members(of: raw, maxDepth: Self.maxDepth) }
        }
        switch result {
        case .success(let scanned):
            index = MemberIndex(scanned, findDuplicates: false)
        case .failure(let error):
            throw .malformed("unreadable answer from locketd: \(error.message)")
        }
    }

    /// Throws the daemon's error (`.daemon`) if the answer is `ok:false`.
    public func checkOK() throws(AnswerError) {
        guard text("ok") == "false" else { return }
        throw .daemon(try Answer.Failure(reading: self).error)
    }

    // MARK: - Members

    /// The member's JSON text, as received.
    public func text(_ name: String) -> String? {
        index[name].map { String(decoding: bytes[$0.range], as: UTF8.self) }
    }

    /// The member's JSON text as bytes.
    public func raw(_ name: String) -> [UInt8]? {
        index[name].map { Array(bytes[$0.range]) }
    }

    /// Whether the member is absent or null.
    public func isAbsentOrNull(_ name: String) -> Bool {
        index[name].map { $0.kind == .null } ?? true
    }

    /// A string member; nil when absent or not a string.
    public func string(_ name: String) -> String? {
        guard let member = index[name], member.kind == .string else { return nil }
        return bytes.withUnsafeBytes { try? JSONScanner.decodeString($0, member.range) }
    }

    /// A string member that must be there.
    public func requiredString(_ name: String, in what: String = "answer") throws(AnswerError) -> String {
        guard let value = string(name) else { throw .malformed("\(what) lacks string \"\(name)\"") }
        return value
    }

    /// An integer member that must be there.
    public func int(_ name: String) throws(AnswerError) -> Int {
        guard let value = optionalInt(name) else { throw .malformed("answer lacks integer \"\(name)\"") }
        return value
    }

    /// An integer member; nil when absent or not an integer.
    public func optionalInt(_ name: String) -> Int? {
        guard let member = index[name], member.kind == .number else { return nil }
        return Int(String(decoding: bytes[member.range], as: UTF8.self))
    }

    /// A boolean member that must be there.
    public func bool(_ name: String) throws(AnswerError) -> Bool {
        guard let value = optionalBool(name) else { throw .malformed("answer lacks boolean \"\(name)\"") }
        return value
    }

    /// A boolean member; nil when absent or not a boolean.
    public func optionalBool(_ name: String) -> Bool? {
        switch text(name) {
        case "true": true
        case "false": false
        default: nil
        }
    }

    /// A timestamp member; nil when null, absent or not a timestamp.
    public func date(_ name: String) -> Date? {
        string(name).flatMap(Timestamp.parse)
    }

    /// A nested object member; nil when absent or null.
    public func object(_ name: String) throws(AnswerError) -> AnswerReader? {
        guard let member = index[name], member.kind != .null else { return nil }
        guard member.kind == .object else { throw .malformed("answer member \"\(name)\" is not an object") }
        return try AnswerReader(Array(bytes[member.range]))
    }

    /// An array member of objects; `.malformed` when absent or not one.
    public func objects(_ name: String) throws(AnswerError) -> [AnswerReader] {
        var readers: [AnswerReader] = []
        for element in try elements(name) {
            guard element.kind == .object else { throw .malformed("answer member \"\(name)\" holds something other than objects") }
            readers.append(try AnswerReader(Array(bytes[element.range])))
        }
        return readers
    }

    /// An array member of strings; `.malformed` when absent or not one.
    public func strings(_ name: String) throws(AnswerError) -> [String] {
        var strings: [String] = []
        for element in try elements(name) {
            guard element.kind == .string,
                  let text = bytes.withUnsafeBytes({ try? JSONScanner.decodeString($0, element.range) })
            else { throw .malformed("answer member \"\(name)\" holds something other than strings") }
            strings.append(text)
        }
        return strings
    }

    private func elements(_ name: String) throws(AnswerError) -> [JSONScanner.Element] {
        guard let member = index[name], member.kind == .array else { throw .malformed("answer lacks array \"\(name)\"") }
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ProtocolError) in
                try JSONScanner.elements(of: UnsafeRawBufferPointer(rebasing: raw[member.range]), maxDepth: Self.maxDepth)
            }
        }
        switch result {
        case .success(let elements):
            return elements.map { JSONScanner.Element(kind: $0.kind, range: ($0.range.lowerBound + member.range.lowerBound)..<($0.range.upperBound + member.range.lowerBound)) }
        case .failure(let error):
            throw .malformed("unreadable answer from locketd: \(error.message)")
        }
    }
}
