import Foundation

/// Builds one response line: `{"id":…,"ok":…, …}\n`. Members are appended in
/// order; values are JSON text written by the typed helpers.
public struct Response: Sendable {
    public private(set) var bytes: [UInt8]

    /// Starts a success response echoing `idJSON` (omitted when nil).
    public static func success(id idJSON: [UInt8]?) -> Response {
        var response = Response(bytes: [])
        response.bytes.reserveCapacity(128)
        response.bytes.append(UInt8(ascii: "{"))
        if let idJSON {
            response.bytes.append(contentsOf: #""id":"#.utf8)
            response.bytes.append(contentsOf: idJSON)
            response.bytes.append(UInt8(ascii: ","))
        }
        response.bytes.append(contentsOf: #""ok":true"#.utf8)
        return response
    }

    /// A complete failure line.
    public static func failure(id idJSON: [UInt8]?, _ error: ProtocolError) -> Response {
        var response = Response(bytes: [UInt8(ascii: "{")])
        if let idJSON {
            response.bytes.append(contentsOf: Array(#""id":"#.utf8))
            response.bytes.append(contentsOf: idJSON)
            response.bytes.append(UInt8(ascii: ","))
        }
        response.bytes.append(contentsOf: Array(#""ok":false,"error":{"code":"#.utf8))
        Escaping.appendString(error.code.rawValue, to: &response.bytes)
        response.bytes.append(contentsOf: Array(#","message":"#.utf8))
        Escaping.appendString(error.message, to: &response.bytes)
        response.bytes.append(contentsOf: Array("}}\n".utf8))
        return response
    }

    /// Starts a nested JSON object (an array element): members as usual, then `object`.
    public static func nested() -> Response {
        Response(bytes: [UInt8(ascii: "{")])
    }

    /// The nested object's text, closed (no newline).
    public var object: [UInt8] { bytes + [UInt8(ascii: "}")] }

    private mutating func name(_ name: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        Escaping.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Adds a member whose value is raw JSON text (already valid).
    public mutating func raw(_ name: String, _ json: [UInt8]) {
        self.name(name)
        bytes.append(contentsOf: json)
    }

    public mutating func string(_ name: String, _ value: String) {
        self.name(name)
        Escaping.appendString(value, to: &bytes)
    }

    public mutating func int(_ name: String, _ value: Int) {
        self.name(name)
        Self.appendDecimal(value, to: &bytes)
    }

    /// Appends the decimal digits of `value` without making a String.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
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

    public mutating func bool(_ name: String, _ value: Bool) {
        self.name(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A timestamp, or null.
    public mutating func timestamp(_ name: String, _ date: Date?) {
        self.name(name)
        if let date {
            bytes.append(UInt8(ascii: "\""))
            Timestamp.append(date, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    /// Adds an array member whose elements are built by `element` as JSON text.
    public mutating func array<T>(_ name: String, _ items: [T], _ element: (T, inout [UInt8]) -> Void) {
        self.name(name)
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(item, &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Closes the object and the line.
    public func finished() -> [UInt8] {
        var line = bytes
        line.append(UInt8(ascii: "}"))
        line.append(UInt8(ascii: "\n"))
        return line
    }
}
