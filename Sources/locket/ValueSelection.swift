import LocketProtocol

/// `locket get --field NAME` and `--raw`: one member of an object value, and a
/// string value as its text, so shell scripts need no JSON tool.
enum ValueSelection {
    /// The JSON text of member `name` of the object `value` (the last one if
    /// the object repeats it). Exit 1 when there is no such member; exit 2 when
    /// the value is not an object.
    static func member(_ name: String, of value: [UInt8], in entry: String) throws(Failure) -> [UInt8] {
        let scanned = value.withUnsafeBytes { raw in
            Result { () throws(ProtocolError) in try JSONScanner.members(of: raw, maxDepth: ProtocolLimits.maxAnswerDepth) }
        }
        guard case .success(let members) = scanned else {
            throw .usage("--field needs an object value; \(entry) holds another kind of JSON value")
        }
        guard let member = members.last(where: { $0.name == name }) else {
            throw Failure(.notFound, "not found: \(entry) has no member \"\(Escaping.printable(name, limit: 64))\"")
        }
        return Array(value[member.range])
    }

    /// The text of a JSON string, escapes decoded (bytes, so any content passes).
    /// Exit 2 when `json` is not a string.
    static func text(of json: [UInt8], what: String) throws(Failure) -> [UInt8] {
        guard json.first == UInt8(ascii: "\"") else { throw .usage("--raw needs a string; \(what) is another kind of JSON value") }
        let decoded = json.withUnsafeBytes { raw in
            Result { () throws(ProtocolError) in try JSONScanner.decodeStringBytes(raw, 0..<raw.count) }
        }
        guard case .success(let bytes) = decoded else { throw .usage("--raw needs a string; \(what) is not a valid JSON string") }
        return bytes
    }
}
