#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol

/// One entry as a backup holds it: names, the value exactly as stored, and the
/// entry's metadata in the vault it came from.
public struct BackupEntry: Equatable, Sendable {
    public var ns: String
    public var key: String
    /// The value as the exact JSON text the vault returned.
    public var valueJSON: [UInt8]
    /// The version in the source vault (informational: an import gets the target's).
    public var version: Int
    public var createdAt: Date
    /// Compared with the target's `updated_at` by the keep-newer merge.
    public var updatedAt: Date
    /// nil: never expires.
    public var expiresAt: Date?

    public init(ns: String, key: String, valueJSON: [UInt8], version: Int,
                createdAt: Date, updatedAt: Date, expiresAt: Date?) {
        self.ns = ns
        self.key = key
        self.valueJSON = valueJSON
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
    }

    /// The entry as one line of the plaintext: a JSON object with the members
    /// `ns`, `key`, `value`, `version`, `created_at`, `updated_at`, `expires_at`
    /// in that order, then `\n`.
    public var jsonLine: [UInt8] {
        var writer = JSONWriter(capacity: valueJSON.count + ns.utf8.count + key.utf8.count + 160)
        writer.object { object in
            object.string("ns", ns)
            object.string("key", key)
            object.raw("value", valueJSON)
            object.int("version", version)
            object.timestamp("created_at", createdAt)
            object.timestamp("updated_at", updatedAt)
            object.timestamp("expires_at", expiresAt)
        }
        writer.newline()
        return writer.bytes
    }

    /// Parses and validates one line (without its `\n`); `number` (from 1) names
    /// it in errors, which never quote the line's content.
    public static func parse(_ line: ArraySlice<UInt8>, number: Int) throws(BackupError) -> BackupEntry {
        let bytes = Array(line)
        let parsed = bytes.withUnsafeBytes { raw in Result { () throws(BackupError) in try parse(raw, number: number) } }
        return try parsed.get()
    }

    private static func parse(_ raw: UnsafeRawBufferPointer, number: Int) throws(BackupError) -> BackupEntry {
        func invalid(_ why: String) -> BackupError { .invalidContent("entry \(number): \(why)") }
        guard String(validating: raw, as: UTF8.self) != nil else { throw invalid("not valid UTF-8") }
        let limits = ProtocolLimits.standard
        let scanned = Result { () throws(ProtocolError) in try JSONScanner.members(of: raw, maxDepth: limits.maxDepth) }
        // The scanner also limits nesting: the entry object is one level, so a value nests one less.
        guard case .success(let members) = scanned else { throw invalid("not a JSON object within the protocol's limits") }
        var byName: [String: JSONScanner.Member] = [:]
        for member in members where byName.updateValue(member, forKey: member.name) != nil {
            throw invalid("member \"\(member.name)\" appears more than once")
        }
        func required(_ name: String) throws(BackupError) -> JSONScanner.Member {
            guard let member = byName[name] else { throw invalid("member \"\(name)\" is missing") }
            return member
        }
        func string(_ name: String) throws(BackupError) -> String {
            let member = try required(name)
            guard member.kind == .string,
                  let text = try? JSONScanner.decodeString(raw, member.range) else { throw invalid("\"\(name)\" must be a string") }
            return text
        }
        func name(_ field: String) throws(BackupError) -> String {
            let text = try string(field)
            let count = text.utf8.count
            guard (1...limits.maxNameBytes).contains(count),
                  !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
                throw invalid("\"\(field)\" is not a valid name (1 to \(limits.maxNameBytes) bytes, no control characters)")
            }
            return text
        }
        func timestamp(_ field: String) throws(BackupError) -> Date {
            guard let date = Timestamp.parse(try string(field)) else { throw invalid("\"\(field)\" is not an RFC 3339 timestamp") }
            return date
        }
        let ns = try name("ns"), key = try name("key")
        let value = try required("value")
        let valueJSON = Array(UnsafeRawBufferPointer(rebasing: raw[value.range]))
        guard valueJSON.count <= limits.maxValueBytes else {
            throw invalid("the value is \(valueJSON.count) bytes of JSON; the limit is \(limits.maxValueBytes)")
        }
        let versionMember = try required("version")
        let versionText = String(decoding: UnsafeRawBufferPointer(rebasing: raw[versionMember.range]), as: UTF8.self)
        guard versionMember.kind == .number, let version = Int(versionText), version >= 1 else {
            throw invalid("\"version\" must be an integer of 1 or more")
        }
        let createdAt = try timestamp("created_at"), updatedAt = try timestamp("updated_at")
        var expiresAt: Date?
        if try required("expires_at").kind != .null { expiresAt = try timestamp("expires_at") }
        return BackupEntry(ns: ns, key: key, valueJSON: valueJSON, version: version,
                           createdAt: createdAt, updatedAt: updatedAt, expiresAt: expiresAt)
    }
}
