/// Builds one request line, `{"op":…, …}\n`, on `JSONWriter`: what the Swift
/// client and the CLI send. Optional members are left out when nil.
public struct RequestWriter: Sendable {
    private var writer = JSONWriter(capacity: 96)

    /// Starts a request for `op` (its wire name: `get`, `put`, …).
    public init(op: String) {
        writer.beginObject()
        writer.string("op", op)
    }

    /// A string member; left out when nil.
    public mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        writer.string(name, value)
    }

    /// An integer member; left out when nil.
    public mutating func int(_ name: String, _ value: Int?) {
        guard let value else { return }
        writer.int(name, value)
    }

    /// A boolean member; left out when nil.
    public mutating func bool(_ name: String, _ value: Bool?) {
        guard let value else { return }
        writer.bool(name, value)
    }

    /// A member whose value already is JSON text (a value to store).
    public mutating func raw(_ name: String, _ json: [UInt8]) {
        writer.raw(name, json)
    }

    /// The whole line: the object closed, then a newline.
    public var line: [UInt8] {
        var closed = writer
        closed.endObject()
        closed.newline()
        return closed.bytes
    }
}
