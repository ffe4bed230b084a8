#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes compact JSON text front to back: objects and arrays, members and
/// elements in the order added, commas placed for you. The one JSON writer
/// behind answers (`Response`), requests (`Request.line()`), events
/// (`WatchEvent`) and the CLI's `--json` output. Values that already are JSON
/// text (a stored value, an echoed id) are copied byte for byte.
///
/// A value is written where the writer stands: at the top, after `name(_:)`,
/// or as the next element of an open array. `beginObject`/`endObject` and
/// `beginArray`/`endArray` must pair up; the writer does not check it.
public struct JSONWriter: Sendable {
    /// The text written so far.
    public private(set) var bytes: [UInt8]
    /// Whether the next value or member is the first of its container (no comma before it).
    private var atFirst = true

    /// An empty writer; `capacity` bytes are reserved up front.
    public init(capacity: Int = 0) {
        bytes = []
        if capacity > 0 { bytes.reserveCapacity(capacity) }
    }

    // MARK: - Containers

    /// Opens an object as the next value.
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        atFirst = true
    }

    /// Closes the innermost open object.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        atFirst = false
    }

    /// Opens an array as the next value.
    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        atFirst = true
    }

    /// Closes the innermost open array.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        atFirst = false
    }

    /// Writes an object as the next value, its members written by `body`.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        beginObject()
        body(&self)
        endObject()
    }

    /// Writes an array as the next value, its elements written by `body`.
    public mutating func array(_ body: (inout JSONWriter) -> Void) {
        beginArray()
        body(&self)
        endArray()
    }

    /// Appends a newline (after a whole line's value).
    public mutating func newline() {
        bytes.append(0x0a)
    }

    // MARK: - Values

    /// Writes a member name; the next value written is its value.
    public mutating func name(_ name: String) {
        separate()
        Escaping.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        atFirst = true
    }

    /// A string value.
    public mutating func string(_ value: String) {
        separate()
        Escaping.appendString(value, to: &bytes)
    }

    /// An integer value (its decimal digits, written without a `String`).
    public mutating func int(_ value: Int) {
        separate()
        Self.appendDecimal(value, to: &bytes)
    }

    /// `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? Self.trueText : Self.falseText)
    }

    /// `null`.
    public mutating func null() {
        separate()
        bytes.append(contentsOf: Self.nullText)
    }

    /// A protocol timestamp (`"2026-11-22T22:10:00Z"`), or null.
    public mutating func timestamp(_ date: Date?) {
        separate()
        guard let date else { return bytes.append(contentsOf: Self.nullText) }
        bytes.append(UInt8(ascii: "\""))
        Timestamp.append(date, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A value that already is JSON text, copied as it is (the caller vouches for it).
    public mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    /// A value written as JSON text by `write` (the caller vouches for it).
    public mutating func raw(_ write: (inout [UInt8]) -> Void) {
        separate()
        write(&bytes)
    }

    // MARK: - Members

    /// A string member.
    public mutating func string(_ name: String, _ value: String) {
        self.name(name)
        string(value)
    }

    /// A string member, or null when `value` is nil.
    public mutating func string(_ name: String, orNull value: String?) {
        self.name(name)
        if let value { string(value) } else { null() }
    }

    /// An integer member.
    public mutating func int(_ name: String, _ value: Int) {
        self.name(name)
        int(value)
    }

    /// A boolean member.
    public mutating func bool(_ name: String, _ value: Bool) {
        self.name(name)
        bool(value)
    }

    /// A timestamp member, or null.
    public mutating func timestamp(_ name: String, _ date: Date?) {
        self.name(name)
        timestamp(date)
    }

    /// A member whose value already is JSON text.
    public mutating func raw(_ name: String, _ json: [UInt8]) {
        self.name(name)
        raw(json)
    }

    /// An array member of strings.
    public mutating func strings(_ name: String, _ values: [String]) {
        self.name(name)
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// An array member with one object per item, its members written by `members`.
    public mutating func objects<Item>(_ name: String, _ items: [Item], _ members: (inout JSONWriter, Item) -> Void) {
        self.name(name)
        beginArray()
        for item in items {
            beginObject()
            members(&self, item)
            endObject()
        }
        endArray()
    }

    // MARK: - Plumbing

    private mutating func separate() {
        if atFirst { atFirst = false } else { bytes.append(UInt8(ascii: ",")) }
    }

    private static let trueText: [UInt8] = Array("true".utf8)
    private static let falseText: [UInt8] = Array("false".utf8)
    private static let nullText: [UInt8] = Array("null".utf8)

    /// Appends the decimal digits of `value` without making a String.
    package static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }
}
