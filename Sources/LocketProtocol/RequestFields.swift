#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Typed access to the members of one request, with the protocol's rules.
struct Fields {
    let line: UnsafeRawBufferPointer
    let members: MemberIndex
    let limits: ProtocolLimits

    func name(_ field: String) throws(ProtocolError) -> String {
        guard let name = try optionalName(field) else { throw .bad("missing member \"\(field)\"") }
        return name
    }

    /// `ns` and `key`: strings of 1 to 256 UTF-8 bytes with no control characters.
    func optionalName(_ field: String) throws(ProtocolError) -> String? {
        guard let member = members[field], member.kind != .null else { return nil }
        guard member.kind == .string else { throw .bad("\"\(field)\" must be a string") }
        let text = try JSONScanner.decodeString(line, member.range)
        let count = text.utf8.count
        guard count >= 1 else { throw .bad("\"\(field)\" must not be empty") }
        guard count <= limits.maxNameBytes else { throw .bad("\"\(field)\" is \(count) bytes; at most \(limits.maxNameBytes)") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .bad("\"\(field)\" must not contain control characters")
        }
        return text
    }

    func value(_ field: String) throws(ProtocolError) -> [UInt8] {
        guard let member = members[field] else { throw .bad("missing member \"\(field)\"") }
        guard member.range.count <= limits.maxValueBytes else {
            throw ProtocolError(.tooLarge, "\"\(field)\" is \(member.range.count) bytes of JSON; at most \(limits.maxValueBytes)")
        }
        return Array(UnsafeRawBufferPointer(rebasing: line[member.range]))
    }

    func optionalInt(_ field: String, minimum: Int, maximum: Int = Int.max) throws(ProtocolError) -> Int? {
        guard let member = members[field] else { return nil }
        if member.kind == .null { return nil }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[member.range]), as: UTF8.self)
        guard member.kind == .number, let value = Int(text) else { throw .bad("\"\(field)\" must be an integer") }
        guard value >= minimum else { throw .bad("\"\(field)\" must be at least \(minimum)") }
        guard value <= maximum else { throw .bad("\"\(field)\" must be at most \(maximum)") }
        return value
    }

    func optionalString(_ field: String) throws(ProtocolError) -> String? {
        guard let member = members[field], member.kind != .null else { return nil }
        guard member.kind == .string else { throw .bad("\"\(field)\" must be a string") }
        return try JSONScanner.decodeString(line, member.range)
    }

    /// An executable's path as the kernel shows it in `/proc/PID/exe`: absolute
    /// and normal (no empty, `.` or `..` component, no trailing `/`), at most
    /// 4096 bytes, no control characters. Anything else could never match a caller.
    func executablePath(_ field: String, required: Bool) throws(ProtocolError) -> String? {
        guard let text = try optionalString(field) else {
            if required { throw .bad("missing member \"\(field)\"") }
            return nil
        }
        guard text.utf8.count <= 4096 else { throw .bad("\"\(field)\" is over 4096 bytes") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .bad("\"\(field)\" must not contain control characters")
        }
        let components = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard text.hasPrefix("/"), text.count > 1,
              !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .bad("\"\(field)\" must be an absolute, normalized path (e.g. /usr/bin/app)")
        }
        return text
    }

    /// At most one of `flatpak`, `snap`, `label`, well-formed.
    func sandbox() throws(ProtocolError) -> SandboxSubject? {
        var found: SandboxSubject?
        for kind in SandboxSubject.Kind.allCases {
            guard let text = try optionalString(kind.rawValue) else { continue }
            guard found == nil else { throw .bad("give one of \"flatpak\", \"snap\", \"label\", not several") }
            if let why = SandboxSubject.validate(kind, text) { throw .bad(why) }
            found = SandboxSubject(kind, text)
        }
        return found
    }

    /// A SHA-256 as 64 hex digits; returned in lowercase.
    func optionalSHA256(_ field: String) throws(ProtocolError) -> String? {
        guard let text = try optionalString(field) else { return nil }
        guard text.utf8.count == 64, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) else {
            throw .bad("\"\(field)\" must be 64 hex digits")
        }
        return text.lowercased()
    }

    /// A lease token: a string of 1 to 128 UTF-8 bytes (opaque otherwise); null is absent.
    func optionalLeaseToken(_ field: String) throws(ProtocolError) -> String? {
        guard let text = try optionalString(field) else { return nil }
        guard !text.isEmpty else { throw .bad("\"\(field)\" must not be empty") }
        guard text.utf8.count <= ProtocolLimits.maxLeaseTokenBytes else { throw .bad("\"\(field)\" is over \(ProtocolLimits.maxLeaseTokenBytes) bytes") }
        return text
    }

    func optionalBool(_ field: String) throws(ProtocolError) -> Bool? {
        guard let member = members[field], member.kind != .null else { return nil }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[member.range]), as: UTF8.self)
        switch text {
        case "true": return true
        case "false": return false
        default: throw .bad("\"\(field)\" must be true or false")
        }
    }

    func optionalStringBytes(_ field: String) throws(ProtocolError) -> [UInt8]? {
        guard let member = members[field] else { return nil }
        guard member.kind == .string else { throw .bad("\"\(field)\" must be a string") }
        return try JSONScanner.decodeStringBytes(line, member.range)
    }
}

/// The members of a request object (or of an answer, for `AnswerReader`) by
/// name. A request has a handful of members, so a linear search beats hashing;
/// past `linearLimit` members (only a hostile line has that many) a dictionary
/// keeps lookups and the duplicate check linear.
struct MemberIndex: Sendable {
    static let linearLimit = 16

    /// Every member, in the order scanned.
    let all: [JSONScanner.Member]
    private let byName: [String: JSONScanner.Member]?
    /// The first name that appears more than once, if any (nil when not looked for).
    let firstDuplicate: String?

    /// `findDuplicates`: fill `firstDuplicate` (a request must not repeat a name;
    /// an answer's reader only needs the last of each).
    init(_ members: [JSONScanner.Member], findDuplicates: Bool = true) {
        self.all = members
        if members.count <= Self.linearLimit {
            byName = nil
            var duplicate: String?
            if findDuplicates {
                search: for (index, member) in members.enumerated() {
                    for earlier in members[..<index] where earlier.name == member.name {
                        duplicate = member.name
                        break search
                    }
                }
            }
            firstDuplicate = duplicate
        } else {
            var table: [String: JSONScanner.Member] = [:]
            var duplicate: String?
            for member in members {
                if table.updateValue(member, forKey: member.name) != nil, duplicate == nil { duplicate = member.name }
            }
            byName = table
            firstDuplicate = duplicate
        }
    }

    /// The member named `name` (the last one, if it appears more than once).
    subscript(name: String) -> JSONScanner.Member? {
        if let byName { return byName[name] }
        return all.last { $0.name == name }
    }
}
