/// The request lines the harness sends: one definition for `run` and the profiling commands.
enum Requests {
    /// A JSON string of exactly 200 bytes of JSON text.
    static let value200 = "\"" + String(repeating: "s", count: 198) + "\""

    static func get(_ ns: String, _ key: String) -> [UInt8] {
        Array("{\"id\":1,\"op\":\"get\",\"ns\":\"\(ns)\",\"key\":\"\(key)\"}\n".utf8)
    }

    static func put(_ ns: String, _ key: String, _ value: String) -> [UInt8] {
        Array("{\"id\":1,\"op\":\"put\",\"ns\":\"\(ns)\",\"key\":\"\(key)\",\"value\":\(value)}\n".utf8)
    }
}
