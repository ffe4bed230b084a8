import Foundation
import FuzzSupport
import LocketProtocol
import LocketTestSupport

/// The seed corpus and the libFuzzer dictionary, written on request
/// (`LOCKET_FUZZ_WRITE_SEEDS=FOLDER locket-fuzz`, run by `scripts/fuzz`).
enum Seeds {
    /// Longest input the fuzzer generates (`-max_len` in scripts/fuzz). Longer
    /// inputs make every execution slow; the few longer seeds run once each instead.
    static let maxFuzzedLength = 16 * 1024

    /// Writes one seed per protocol vector (every byte the vector sends, in
    /// order: a whole conversation, as one connection) into `folder/corpus`
    /// (those longer than `maxFuzzedLength` into `folder/large`), and the
    /// protocol's tokens into `folder/locket.dict`. Returns the seed count.
    static func write(to folder: String) throws -> Int {
        let corpus = "\(folder)/corpus"
        let large = "\(folder)/large"
        for path in [corpus, large] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        func save(_ bytes: [UInt8], _ name: String) throws {
            let path = "\(bytes.count <= maxFuzzedLength ? corpus : large)/\(name)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let vectors = try ProtocolVector.loadAll()
        for vector in vectors {
            try save(vector.sentBytes, vector.name)
        }
        // Not a vector (a 1 MiB line has no place in one): a line over the limit between two requests.
        let overLimit = Array(#"{"id":1,"op":"ping"}"#.utf8) + [0x0a]
            + Array(#"{"id":2,"op":"put","ns":"a","key":"b","value":""#.utf8)
            + [UInt8](repeating: UInt8(ascii: "x"), count: Invariant.limits.maxLineBytes) + Array(#""}"#.utf8) + [0x0a]
            + Array(#"{"id":3,"op":"ping"}"#.utf8) + [0x0a]
        try save(overLimit, "synthetic-line-over-limit")
        try Data(dictionary().utf8).write(to: URL(fileURLWithPath: "\(folder)/locket.dict"))
        return vectors.count + 1
    }

    /// The protocol's words, in libFuzzer's dictionary format (`name="text"`).
    static func dictionary() -> String {
        var tokens: [String] = []
        tokens += Op.allCases.map { "\"\($0.rawValue)\"" }
        tokens += ["id", "op", "ns", "key", "value", "ttl", "if_version", "passphrase", "version"].map { "\"\($0)\":" }
        tokens += ["{", "}", "[", "]", ":", ",", "true", "false", "null", "\"\"", "\\\"", "\\\\", "\\n", "\\u0000",
                   "\\ud800", "\\udc00", "\\u00e9", "\r\n", "\n", " ", "\t", "\u{feff}", "\u{e9}", "\u{1F511}"]
        tokens += ["0", "-0", "1", "-1", "1.0", "1e3", "6e1", "3153600000", "3153600001",
                   "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e400"]
        tokens += [#"{"op":"put","ns":"a","key":"b","value":1}"#, #"{"op":"get","ns":"a","key":"b"}"#,
                   #"{"op":"lock"}"#, #"{"op":"unlock"}"#, #"{"op":"rotate"}"#, #"{"op":"list"}"#]
        tokens += [String(repeating: "[", count: 64), String(repeating: "]", count: 64), String(repeating: "a", count: 256)]
        return tokens.enumerated().map { index, token in "t\(index)=\"\(escape(token))\"" }.joined(separator: "\n") + "\n"
    }

    /// libFuzzer dictionary escaping: `\\`, `\"` and `\xHH` for bytes outside printable ASCII.
    private static func escape(_ token: String) -> String {
        var out = ""
        for byte in token.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\""): out += "\\\""
            case 0x20..<0x7f: out.append(Character(Unicode.Scalar(byte)))
            default: out += String(format: "\\x%02X", byte)
            }
        }
        return out
    }
}
