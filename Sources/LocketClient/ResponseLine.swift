import Foundation
import LocketProtocol

/// One parsed response line: `ok`, the error if any, and typed access to members.
struct ResponseLine {
    let bytes: [UInt8]
    let members: [String: JSONScanner.Member]

    init(_ bytes: [UInt8]) throws(LocketError) {
        self.bytes = bytes
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ProtocolError) in try JSONScanner.members(of: raw, maxDepth: ProtocolLimits.maxAnswerDepth) }
        }
        guard case .success(let scanned) = result else {
            if case .failure(let error) = result { throw .connectionFailed("unreadable answer from locketd: \(error.message)") }
            throw .connectionFailed("unreadable answer from locketd")
        }
        var byName: [String: JSONScanner.Member] = [:]
        for member in scanned { byName[member.name] = member }
        members = byName
    }

    /// Throws the daemon's error if the answer is `ok:false`.
    func checkOK() throws(LocketError) {
        guard text("ok") == "false" else { return }
        guard let error = members["error"] else { throw .connectionFailed("an error answer without an error object") }
        let inner = Array(bytes[error.range])
        let parsed = try ResponseLine(inner)
        let message = parsed.string("message") ?? ""
        guard let code = parsed.string("code").flatMap(ErrorCode.init(rawValue:)) else {
            throw .connectionFailed("unknown error code in an answer: \(parsed.string("code") ?? "none")")
        }
        throw LocketError(ProtocolError(code, message))
    }

    func text(_ name: String) -> String? {
        members[name].map { String(decoding: bytes[$0.range], as: UTF8.self) }
    }

    func raw(_ name: String) -> [UInt8]? {
        members[name].map { Array(bytes[$0.range]) }
    }

    /// The `items` array of a `list`, `audit` or `rules` answer, as JSON objects.
    func items() throws(LocketError) -> [[String: Any]] {
        guard let items = raw("items"),
              let array = try? JSONSerialization.jsonObject(with: Data(items)) as? [[String: Any]] else {
            throw .connectionFailed("answer lacks \"items\"")
        }
        return array
    }

    func string(_ name: String) -> String? {
        guard let member = members[name], member.kind == .string else { return nil }
        return bytes.withUnsafeBytes { try? JSONScanner.decodeString($0, member.range) }
    }

    func int(_ name: String) throws(LocketError) -> Int {
        guard let text = text(name), let value = Int(text) else { throw .connectionFailed("answer lacks integer \"\(name)\"") }
        return value
    }

    func bool(_ name: String) throws(LocketError) -> Bool {
        switch text(name) {
        case "true": return true
        case "false": return false
        default: throw .connectionFailed("answer lacks boolean \"\(name)\"")
        }
    }

    /// A timestamp member; nil when null or absent.
    func date(_ name: String) -> Date? {
        string(name).flatMap(Timestamp.parse)
    }
}

/// Builds request lines.
struct RequestBuilder {
    private(set) var bytes: [UInt8] = []

    init(op: String) {
        bytes = Array(#"{"op":"#.utf8)
        Escaping.appendString(op, to: &bytes)
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        Escaping.appendString(value, to: &bytes)
    }

    mutating func int(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: Array(String(value).utf8))
    }

    mutating func raw(_ name: String, _ json: [UInt8]) {
        key(name)
        bytes.append(contentsOf: json)
    }

    private mutating func key(_ name: String) {
        bytes.append(UInt8(ascii: ","))
        Escaping.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    var line: [UInt8] { bytes + Array("}\n".utf8) }
}
