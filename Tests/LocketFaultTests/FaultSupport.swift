// Helpers shared by the fault tests: parsed answers, a daemon's files, raw SQLite.
import CSQLite
import Foundation
import LocketTestSupport
import Testing

/// One response line, parsed.
struct Reply: CustomStringConvertible {
    let line: String
    let object: [String: Any]

    init(_ line: String) throws {
        self.line = line
        object = try LineClient.object(line)
    }

    var ok: Bool { (object["ok"] as? Bool) == true }
    var code: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var message: String { ((object["error"] as? [String: Any])?["message"] as? String) ?? "" }
    func int(_ name: String) -> Int? { (object[name] as? NSNumber)?.intValue }
    func bool(_ name: String) -> Bool? { object[name] as? Bool }
    func string(_ name: String) -> String? { object[name] as? String }
    /// The `value` member, re-encoded as JSON text (sorted keys) for comparison.
    var valueJSON: String? { object["value"].map(canonicalJSON) }
    /// The keys of `list` items (in `ns` only, when given).
    func listedKeys(ns: String? = nil) -> [String] {
        ((object["items"] as? [[String: Any]]) ?? []).filter { ns == nil || ($0["ns"] as? String) == ns }.compactMap { $0["key"] as? String }
    }
    /// A timestamp member as a date.
    func date(_ name: String) -> Date? {
        string(name).flatMap { try? Date($0, strategy: .iso8601) }
    }
    var description: String { line }
}

extension LineClient {
    /// Sends one request (a JSON object given as a dictionary) and parses the answer.
    func ask(_ request: [String: Any]) throws -> Reply {
        let data = try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])
        return try Reply(try self.request(String(decoding: data, as: UTF8.self)))
    }

    func put(_ ns: String, _ key: String, _ value: Any, ttl: Int? = nil) throws -> Reply {
        var request: [String: Any] = ["op": "put", "ns": ns, "key": key, "value": value]
        if let ttl { request["ttl"] = ttl }
        return try ask(request)
    }

    func get(_ ns: String, _ key: String) throws -> Reply { try ask(["op": "get", "ns": ns, "key": key]) }
    func delete(_ ns: String, _ key: String) throws -> Reply { try ask(["op": "delete", "ns": ns, "key": key]) }
    func list(_ ns: String? = nil) throws -> Reply { try ask(ns.map { ["op": "list", "ns": $0] } ?? ["op": "list"]) }
    func status() throws -> Reply { try ask(["op": "status"]) }
}

/// JSON text of `value` with sorted keys, as `Reply.valueJSON` gives it back.
func canonicalJSON(_ value: Any) -> String {
    let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
    return data.map { String(decoding: $0, as: UTF8.self) } ?? "<not JSON>"
}

/// A marker unlikely to appear anywhere by chance (to look for leaks).
func uniqueMarker(_ prefix: String) -> String {
    "\(prefix)\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
}

/// Starts a daemon that must refuse to start, and waits for it to exit: its exit
/// status (nil: it was still running after `timeout`, and was killed).
func refusedStart(_ daemon: Daemon, timeout: Double = 30) throws -> Int32? {
    try daemon.spawn()
    if let status = daemon.waitForExit(timeout: timeout) { return status }
    daemon.kill9()
    return nil
}

/// The files of a folder and their bytes (not recursive); SQLite's `-shm` index is
/// left out (SQLite rewrites it on every open, and it holds no data).
/// The access audit log (`audit.log*`) is left out: a locked daemon still records the
/// requests it refused there, by design; the vault and its keys must not change.
func snapshot(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder)
    where !name.hasSuffix("-shm") && !name.hasPrefix("audit.log") {
        files[name] = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)"))
    }
    return files
}

/// Reads a vault's database directly with SQLite, as a person recovering data would.
enum RawDatabase {
    /// Rows of `sql` as arrays of column values (Int64, [UInt8], String or nil).
    static func rows(_ path: String, _ sql: String) throws -> [[Any?]] {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            sqlite3_close(db)
            throw RawError.failed("cannot open \(path)")
        }
        defer { sqlite3_close(db) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw RawError.failed("\(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        var rows: [[Any?]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw RawError.failed("\(sql): \(String(cString: sqlite3_errmsg(db)))") }
            rows.append((0..<sqlite3_column_count(statement)).map { column -> Any? in
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: return sqlite3_column_int64(statement, column)
                case SQLITE_TEXT: return String(cString: sqlite3_column_text(statement, column))
                case SQLITE_BLOB:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    guard count > 0, let base = sqlite3_column_blob(statement, column) else { return [UInt8]() }
                    return Array(UnsafeRawBufferPointer(start: base, count: count))
                default: return nil
                }
            })
        }
        return rows
    }

    enum RawError: Error, CustomStringConvertible {
        case failed(String)
        var description: String { if case .failed(let why) = self { why } else { "" } }
    }
}

extension Data {
    /// Offsets where `needle` occurs.
    func occurrences(of needle: [UInt8]) -> [Int] {
        guard !needle.isEmpty, count >= needle.count else { return [] }
        let bytes = [UInt8](self)
        var found: [Int] = []
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0], bytes[index..<index + needle.count].elementsEqual(needle) { found.append(index) }
            index += 1
        }
        return found
    }
}
