#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Builds one answer line, `{"id":…,"ok":…, …}\n`, on `JSONWriter`. Members
/// are appended in order; values are JSON text written by the typed helpers.
/// The typed answers (`Answer.Get`, `Answer.Put`, …) write through it.
public struct Response: Sendable {
    private var writer: JSONWriter

    /// The text so far: an open object, or the whole line of a `failure`.
    public var bytes: [UInt8] { writer.bytes }

    private init(capacity: Int) {
        writer = JSONWriter(capacity: capacity)
        writer.beginObject()
    }

    /// Starts a success response echoing `idJSON` (omitted when nil).
    /// `capacity`: the bytes to allocate for the whole line at once.
    public static func success(id idJSON: [UInt8]?, capacity: Int = 128) -> Response {
        var response = Response(capacity: capacity)
        if let idJSON { response.writer.raw("id", idJSON) }
        response.writer.bool("ok", true)
        return response
    }

    /// A complete failure line.
    public static func failure(id idJSON: [UInt8]?, _ error: ProtocolError) -> Response {
        var response = Response(capacity: 64 + error.message.utf8.count)
        if let idJSON { response.writer.raw("id", idJSON) }
        response.writer.bool("ok", false)
        response.writer.name("error")
        response.writer.object { object in
            object.string("code", error.code.rawValue)
            object.string("message", error.message)
        }
        response.writer.endObject()
        response.writer.newline()
        return response
    }

    /// Starts a nested JSON object (an array element): members as usual, then `object`.
    public static func nested() -> Response {
        Response(capacity: 0)
    }

    /// The nested object's text, closed (no newline).
    public var object: [UInt8] {
        var closed = writer
        closed.endObject()
        return closed.bytes
    }

    /// Adds a member whose value is raw JSON text (already valid).
    public mutating func raw(_ name: String, _ json: [UInt8]) {
        writer.raw(name, json)
    }

    /// A string member.
    public mutating func string(_ name: String, _ value: String) {
        writer.string(name, value)
    }

    /// An integer member.
    public mutating func int(_ name: String, _ value: Int) {
        writer.int(name, value)
    }

    /// A boolean member.
    public mutating func bool(_ name: String, _ value: Bool) {
        writer.bool(name, value)
    }

    /// A timestamp, or null.
    public mutating func timestamp(_ name: String, _ date: Date?) {
        writer.timestamp(name, date)
    }

    /// Adds an array member whose elements are built by `element` as JSON text.
    public mutating func array<T>(_ name: String, _ items: [T], _ element: (T, inout [UInt8]) -> Void) {
        writer.name(name)
        writer.beginArray()
        for item in items { writer.raw { out in element(item, &out) } }
        writer.endArray()
    }

    /// Writes more members straight through the writer (nested objects and arrays).
    public mutating func members(_ body: (inout JSONWriter) -> Void) {
        body(&writer)
    }

    /// Closes the object and the line.
    public func finished() -> [UInt8] {
        var line = writer
        line.endObject()
        line.newline()
        return line.bytes
    }
}
